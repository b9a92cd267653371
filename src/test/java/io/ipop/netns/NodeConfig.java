package io.ipop.netns;

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
}
