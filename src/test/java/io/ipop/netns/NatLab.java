package io.ipop.netns;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The NAT test topology of docs/nat.md, built on a {@link Topology} whose hub bridge is the "wan":
 *
 * <pre>
 *                         wan: bridge br0, 198.51.100.0/24 (the hub namespace)
 *        +-------------------+-------------------+-------------------+
 *        |                   |                   |                   |
 *   rv 198.51.100.10    stun 198.51.100.20   nat-a 198.51.100.2   nat-b 198.51.100.3
 *   ipop-node:          coturn :3478         | masquerade          | masquerade
 *   rendezvous/relay                         | lan0 192.0.2.1/24   | lan0 203.0.113.1/24
 *                                            |                     |
 *                                       host-a 192.0.2.10     host-b 203.0.113.10
 *                                       ipop-node :5800       ipop-node :5800
 * </pre>
 *
 * Each NAT router masquerades what leaves its {@code eth0} (the wan side) and, like a home router,
 * drops new connections that arrive there, both to itself and to be forwarded: only answers to what
 * the inside sent come in. {@link Nat#PORT_PRESERVING} is plain {@code masquerade} (the source port is
 * kept while it is free: endpoint-independent mapping); {@link Nat#SYMMETRIC} is
 * {@code masquerade fully-random} (a new random port per destination).
 */
final class NatLab {
    static final String RV = "rv";
    static final String STUN = "stun";
    static final String RV_IP = "198.51.100.10";
    static final String STUN_IP = "198.51.100.20";
    static final int STUN_PORT = 3478;

    /** How a router maps inside endpoints to its outside address. */
    enum Nat {
        PORT_PRESERVING(""), SYMMETRIC("fully-random");

        private final String flags;

        Nat(String flags) {
            this.flags = flags;
        }
    }

    private NatLab() {
    }

    /** The whole topology; the caller closes it (and stops its processes first). */
    static Topology build(Nat natA, Nat natB) {
        Topology t = new Topology();
        try {
            t.host(RV, RV_IP + "/24");
            t.host(STUN, STUN_IP + "/24");
            t.host("nat-a", "198.51.100.2/24");
            t.host("nat-b", "198.51.100.3/24");
            t.hostBehind("nat-a", "192.0.2.1/24", "host-a", "192.0.2.10/24");
            t.hostBehind("nat-b", "203.0.113.1/24", "host-b", "203.0.113.10/24");
            t.nft("nat-a", rules(natA));
            t.nft("nat-b", rules(natB));
            return t;
        } catch (RuntimeException | Error e) {
            t.close();                                  // a half-built topology leaves no namespace behind
            throw e;
        }
    }

    /** The public (wan) address of the router in front of {@code host}. */
    static String publicIp(String host) {
        return switch (host) {
            case "host-a" -> "198.51.100.2";
            case "host-b" -> "198.51.100.3";
            default -> throw new IllegalArgumentException(host);
        };
    }

    private static String rules(Nat nat) {
        return """
                table ip ipopnat {
                  chain snat_out {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "eth0" masquerade %s
                  }
                  chain wan_in {
                    type filter hook input priority filter; policy accept;
                    iifname "eth0" ct state new counter drop
                  }
                  chain wan_through {
                    type filter hook forward priority filter; policy accept;
                    iifname "eth0" ct state new counter drop
                  }
                }
                """.formatted(nat.flags);
    }

    /** Starts coturn as a STUN-only server on {@code stun}; the caller stops it by its PID. */
    static Process startCoturn(Topology t, Path log) {
        return t.spawn(STUN, log, List.of("turnserver", "-n", "--stun-only", "--no-cli", "--no-tls", "--no-dtls",
                "--listening-ip=" + STUN_IP, "--listening-port=" + STUN_PORT, "--log-file=stdout", "--simple-log",
                "--pidfile=" + log.resolveSibling("turnserver.pid")));
    }

    /** An ipop-node config; {@code extra} goes inside {@code ipop { }}. */
    static String config(String name, int overlayHost, String extra) {
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "10.77.0.%d/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
                  %s
                }
                """.formatted(name, overlayHost, extra);
    }

    static final Duration START_LIMIT = Duration.ofSeconds(60);
}
