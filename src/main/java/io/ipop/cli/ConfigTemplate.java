package io.ipop.cli;

import com.typesafe.config.ConfigUtil;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The text {@code ipop-node init} writes: one node's HOCON config, every line commented for the operator
 * who edits it next. Values are quoted with HOCON's own quoting, so no flag can add a key of its own.
 */
final class ConfigTemplate {
    /** {@code --peer NAME=HOST:PORT}. */
    record Peer(String name, String endpoint) {
    }

    private final String name;
    private final String address;
    private final String tap;
    private final int port;
    private final List<Peer> peers;
    private final List<String> groups;
    private final Path pki;

    /** @param pki absolute, or null for a node without a certificate */
    ConfigTemplate(String name, String address, String tap, int port, List<Peer> peers, List<String> groups, Path pki) {
        this.name = name;
        this.address = address;
        this.tap = tap;
        this.port = port;
        this.peers = List.copyOf(peers);
        this.groups = List.copyOf(groups);
        this.pki = pki;
    }

    private static String q(String s) {
        return ConfigUtil.quoteString(s);
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append("# ipop-node config of node ").append(name).append(", written by `ipop-node init`.\n")
                .append("# Check it:  ipop-node --config THIS_FILE --check-config\n")
                .append("# Every key and its default: docs/configuration.md (/usr/share/doc/ipop-node/configuration.md).\n")
                .append("ipop {\n")
                .append("  # This node's name: its peers list it under this name, its certificate binds it.\n")
                .append("  node.name = ").append(q(name)).append("\n\n")
                .append("  # Inside: the TAP device, its overlay address (with prefix) and MTU.\n")
                .append("  tap { name = ").append(q(tap)).append(", address = ").append(q(address)).append(", mtu = 1400 }\n\n")
                .append("  # Outside: the UDP socket the peers send to.\n")
                .append("  underlay { bind = \"0.0.0.0\", port = ").append(port).append(" }\n\n")
                .append("  # The other nodes, by name and underlay HOST:PORT. Each of them lists this node the same way.\n");
        if (peers.isEmpty()) {
            b.append("  peers = []\n\n");
        } else {
            b.append("  peers = [\n");
            for (Peer p : peers) {
                b.append("    { name = ").append(q(p.name())).append(", endpoint = ").append(q(p.endpoint())).append(" }\n");
            }
            b.append("  ]\n\n");
        }
        b.append("  # Groups: with certificates, links to peers that share a group run DTLS (security.mode = auto).\n")
                .append("  groups = [").append(groups.stream().map(ConfigTemplate::q).collect(Collectors.joining(", ", " ", " ")).replace("  ", " "))
                .append("]\n\n");
        if (pki == null) {
            b.append("  # No certificate: every link is plaintext. To add one: ipop-node ca init --dir PKI, then\n")
                    .append("  #   ipop-node ca sign --dir PKI --name ").append(name).append(" --ip ").append(address)
                    .append(groups.isEmpty() ? "" : " --groups " + String.join(",", groups)).append("\n")
                    .append("  # and: security { ca = \"PKI/ca.crt\", cert = \"PKI/").append(name).append(".crt\", key = \"PKI/")
                    .append(name).append(".key\" }\n");
        } else {
            b.append("  # This node's certificate (ipop-node ca sign): it must bind node.name, tap.address and groups.\n")
                    .append("  security {\n")
                    .append("    mode = auto\n")
                    .append("    ca = ").append(q(pki.resolve("ca.crt").toString())).append("\n")
                    .append("    cert = ").append(q(pki.resolve(name + ".crt").toString())).append("\n")
                    .append("    key = ").append(q(pki.resolve(name + ".key").toString())).append("\n")
                    .append("  }\n");
        }
        b.append("\n  # Logs on stdout (the journal under systemd): level OFF..TRACE, format text or json (one object a line).\n")
                .append("  log { level = INFO, format = text }\n")
                .append("}\n\n")
                .append("# Management API (ipop-node status, /metrics for Prometheus): loopback only unless a token is set.\n")
                .append("pekko.management.http { hostname = \"127.0.0.1\", port = 8558 }\n");
        return b.toString();
    }
}
