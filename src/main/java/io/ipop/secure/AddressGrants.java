package io.ipop.secure;

import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.Ipv6Prefix;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node certificate grants beyond the overlay address: networks routed or bridged behind the node
 * ({@code ca sign --routes}, IPv4 and IPv6), the node's own IPv6 addresses ({@code --ip6}), and whether
 * it may act as an IPv6 router (send router advertisements and redirects, {@code --router}). Peers accept
 * frames from the node only from these sources (docs/security.md, invariant 1).
 *
 * @param ip6 single addresses (each a /128)
 */
public record AddressGrants(List<Ipv4Prefix> routes4, List<Ipv6Prefix> routes6, List<Ipv6Prefix> ip6, boolean router) {
    public static final AddressGrants NONE = new AddressGrants(List.of(), List.of(), List.of(), false);
    /** Most prefixes and addresses one certificate may carry, all lists together. */
    public static final int MAX_ENTRIES = 64;

    public AddressGrants {
        routes4 = List.copyOf(routes4);
        routes6 = List.copyOf(routes6);
        ip6 = List.copyOf(ip6);
        if (routes4.size() + routes6.size() + ip6.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("too many routes and IPv6 addresses (at most " + MAX_ENTRIES + ")");
        }
        for (Ipv6Prefix a : ip6) {
            if (a.length() != 128) {
                throw new IllegalArgumentException("an IPv6 address is a /128, not " + a);
            }
        }
    }

    /**
     * Parses the command line's lists: {@code routes} of IPv4 and IPv6 prefixes, {@code ip6} of IPv6
     * addresses, each optionally with the on-link prefix length ({@code fd77::1/64} grants {@code fd77::1}).
     *
     * @throws IllegalArgumentException naming the entry that is wrong
     */
    public static AddressGrants parse(List<String> routes, List<String> ip6, boolean router) {
        List<Ipv4Prefix> r4 = new ArrayList<>();
        List<Ipv6Prefix> r6 = new ArrayList<>();
        for (String r : routes) {
            if (Ipv6Prefix.looksLikeIpv6(r)) {
                r6.add(Ipv6Prefix.parse(r, false));
            } else {
                r4.add(Ipv4Prefix.parse(r));
            }
        }
        return new AddressGrants(r4, r6, ip6.stream().map(a -> Ipv6Prefix.parse(a, true)).toList(), router);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The routes as written, IPv4 first. */
    public List<String> routes() {
        List<String> all = new ArrayList<>();
        routes4.forEach(p -> all.add(p.toString()));
        routes6.forEach(p -> all.add(p.toString()));
        return all;
    }
}
