package io.ipop.netns;

import java.nio.file.Path;
import java.util.Map;

/** Pieces of the config files the namespace tests write for their nodes. */
final class NodeConfig {
    private NodeConfig() {
    }

    /** The entries of {@code ipop.peers} for {@code peers}, each at 192.0.2.{@code hosts.get(peer)}:5800. */
    static String peers(Map<String, Integer> hosts, String... peers) {
        StringBuilder list = new StringBuilder();
        for (String p : peers) {
            list.append("{ name = \"").append(p).append("\", endpoint = \"192.0.2.").append(hosts.get(p)).append(":5800\" }\n");
        }
        return list.toString();
    }

    /**
     * A cluster-only node {@code name} at 192.0.2.{@code host} (overlay 10.77.0.{@code host}/24, group blue, fast link
     * timers) whose certificate from {@code pki} turns on TLS on the cluster port (cluster-tls = auto), with one seed.
     */
    static String clusterNode(String name, int host, Path pki, String seed) {
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "10.77.0.%d/24" }
                  discovery { static = false, cluster = true }
                  groups = [ "blue" ]
                  security { ca = "%s", cert = "%s", key = "%s" }
                  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
                }
                pekko.remote.artery.canonical.hostname = "192.0.2.%d"
                pekko.cluster.seed-nodes = [ "%s" ]
                """.formatted(name, host, pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"),
                host, seed);
    }
}
