package io.ipop.netns;

/**
 * The NAT lab of docs/nat.md ("The NAT matrix"): the kinds of NAT people have, built from nftables, with an
 * ISP router between every NAT and the wan, as on the internet (a datagram with a small TTL dies there):
 *
 * <pre>
 *                     wan: bridge br0, 198.51.100.0/24
 *      +------------------+----------------------+----------------------+
 *   rv .10            isp-a .2                isp-b .3               (routes to 198.51.102/24 via .2,
 *   ipop-node          | 198.51.102.1/24        | 198.51.103.1/24        198.51.103/24 via .3)
 *   rendezvous,        |                        |
 *   relay, STUN     nat-a 198.51.102.2       nat-b 198.51.103.2      the NATs (public addresses)
 *                      | lan 192.0.2.1/24       | lan 203.0.113.1/24
 *                   host-a 192.0.2.10        host-b 203.0.113.10
 * </pre>
 *
 * Variants: both hosts behind nat-a ({@link #sameNat}, host-b at 192.0.2.11, with or without hairpinning), and
 * host-a behind a home NAT behind a carrier-grade NAT ({@link #doubleNat}: isp-a, cgn-a 198.51.102.2 with
 * 100.64.0.1/24 inside, nat-a 100.64.0.2). The caller closes the topology (after stopping its processes).
 */
final class NatCases {
    static final String RV_IP = "198.51.100.10";

    /** How a NAT maps and filters (RFC 4787). */
    enum Kind {
        /** Endpoint-independent mapping (port-preserving), unsolicited inbound dropped: a home router with a firewall. */
        FILTERED,
        /** Endpoint-independent mapping, no inbound filter: unsolicited datagrams reach the router's own stack (and its conntrack). */
        OPEN,
        /** Endpoint-independent mapping and address-dependent filtering: any port of an address the inside has sent to gets in. */
        ADDRESS_FILTERED,
        /** Address-and-port-dependent mapping (a random port per destination), unsolicited inbound dropped. */
        SYMMETRIC
    }

    private NatCases() {
    }

    /** host-a behind nat-a of {@code a}, host-b behind nat-b of {@code b}. */
    static Topology pair(Kind a, Kind b) {
        return build(t -> {
            t.hostBehind("isp-a", "198.51.102.1/24", "nat-a", "198.51.102.2/24");
            t.hostBehind("isp-b", "198.51.103.1/24", "nat-b", "198.51.103.2/24");
            t.hostBehind("nat-a", "192.0.2.1/24", "host-a", "192.0.2.10/24");
            t.hostBehind("nat-b", "203.0.113.1/24", "host-b", "203.0.113.10/24");
            t.nft("nat-a", rules(a, "192.0.2.10", 5800));
            t.nft("nat-b", rules(b, "203.0.113.10", 5800));
        });
    }

    /**
     * {@link #pair} with a second STUN server on the wan, {@code stun} at {@link NatLab#STUN_IP} (for coturn,
     * {@link NatLab#startCoturn}): a node asking it and rv learns whether its NAT is symmetric (two servers, two
     * ports), which birthday probing needs (docs/nat.md).
     */
    static Topology pairWithStun(Kind a, Kind b) {
        Topology t = pair(a, b);
        try {
            t.host(NatLab.STUN, NatLab.STUN_IP + "/24");
            t.route(NatLab.STUN, "198.51.102.0/24", "198.51.100.2").route(NatLab.STUN, "198.51.103.0/24", "198.51.100.3");
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /**
     * host-a (192.0.2.10, port 5800) and host-b (192.0.2.11, port 5801) on one LAN behind nat-a (FILTERED). With
     * {@code hairpin}, nat-a also takes what the LAN sends to its public address back in (to each host's port).
     */
    static Topology sameNat(boolean hairpin) {
        return build(t -> {
            t.hostBehind("isp-a", "198.51.102.1/24", "nat-a", "198.51.102.2/24");
            t.hostBehind("isp-b", "198.51.103.1/24", "nat-b", "198.51.103.2/24");
            t.hostBehind("nat-a", "192.0.2.1/24", "host-a", "192.0.2.10/24");
            t.anotherHostBehind("nat-a", "192.0.2.1/24", "host-b", "192.0.2.11/24");
            t.nft("nat-a", rules(Kind.FILTERED, null, 0) + (hairpin ? HAIRPIN : ""));
        });
    }

    /** host-a behind a home NAT (FILTERED) behind a carrier-grade NAT (FILTERED); host-b behind nat-b (FILTERED). */
    static Topology doubleNat() {
        return build(t -> {
            t.hostBehind("isp-a", "198.51.102.1/24", "cgn-a", "198.51.102.2/24");
            t.hostBehind("cgn-a", "100.64.0.1/24", "nat-a", "100.64.0.2/24");
            t.hostBehind("isp-b", "198.51.103.1/24", "nat-b", "198.51.103.2/24");
            t.hostBehind("nat-a", "192.0.2.1/24", "host-a", "192.0.2.10/24");
            t.hostBehind("nat-b", "203.0.113.1/24", "host-b", "203.0.113.10/24");
            t.nft("cgn-a", rules(Kind.FILTERED, null, 0));
            t.nft("nat-a", rules(Kind.FILTERED, null, 0));
            t.nft("nat-b", rules(Kind.FILTERED, null, 0));
        });
    }

    /** The address the wan sees {@code host} at (its outermost NAT's). */
    static String publicIp(String host) {
        return host.equals("host-a") ? "198.51.102.2" : "198.51.103.2";
    }

    /** A topology with {@link #wan} and what {@code rest} adds; a half-built one leaves no namespace behind. */
    private static Topology build(java.util.function.Consumer<Topology> rest) {
        Topology t = new Topology();
        try {
            wan(t);
            rest.accept(t);
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /** rv on the wan, the two ISP routers, and the routes between the customer networks. */
    private static void wan(Topology t) {
        t.host("rv", RV_IP + "/24");
        t.host("isp-a", "198.51.100.2/24");
        t.host("isp-b", "198.51.100.3/24");
        t.route("rv", "198.51.102.0/24", "198.51.100.2").route("rv", "198.51.103.0/24", "198.51.100.3");
        t.route("isp-a", "198.51.103.0/24", "198.51.100.3").route("isp-b", "198.51.102.0/24", "198.51.100.2");
        for (String isp : new String[] {"isp-a", "isp-b"}) {
            Shell.check(java.time.Duration.ofSeconds(10), "ip", "netns", "exec", t.ns(isp), "sysctl", "-qw",
                    "net.ipv4.ip_forward=1");
        }
    }

    /**
     * The NAT's ruleset; its wan side is {@code eth0}. {@code inside}/{@code port}: the one host behind it and its
     * underlay port, for {@link Kind#ADDRESS_FILTERED} (whose filter lets any port of a contacted address reach it).
     */
    static String rules(Kind kind, String inside, int port) {
        String masquerade = kind == Kind.SYMMETRIC ? "masquerade fully-random" : "masquerade";
        String filter = kind == Kind.OPEN ? "" : """
                  chain wan_in {
                    type filter hook input priority filter; policy accept;
                    iifname "eth0" ct state new counter drop
                  }
                  chain wan_through {
                    type filter hook forward priority filter; policy accept;
                    iifname "eth0" ct state new ct status dnat accept
                    iifname "eth0" ct state new counter drop
                  }
                """;
        String addressFilter = kind != Kind.ADDRESS_FILTERED ? "" : """
                  set contacted { type ipv4_addr; flags dynamic, timeout; timeout 2m; }
                  chain remember {
                    type filter hook forward priority filter - 1; policy accept;
                    oifname "eth0" update @contacted { ip daddr }
                  }
                  chain let_in {
                    type nat hook prerouting priority dstnat; policy accept;
                    iifname "eth0" udp dport %d ip saddr @contacted dnat to %s
                  }
                """.formatted(port, inside);
        return """
                table ip ipopnat {
                  chain snat_out {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "eth0" %s
                  }
                %s%s}
                """.formatted(masquerade, filter, addressFilter);
    }

    /** nat-a of {@link #sameNat}: what the LAN sends to the public address goes back in to the host of that port. */
    private static final String HAIRPIN = """
            table ip ipophairpin {
              chain back_in {
                type nat hook prerouting priority dstnat; policy accept;
                iifname "lanbr" ip daddr 198.51.102.2 udp dport 5800 dnat to 192.0.2.10
                iifname "lanbr" ip daddr 198.51.102.2 udp dport 5801 dnat to 192.0.2.11
              }
              chain back_out {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "lanbr" ip saddr 192.0.2.0/24 ct status dnat masquerade
              }
            }
            """;
}
