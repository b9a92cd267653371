package io.ipop.route;

import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.Ipv6Prefix;
import io.ipop.frame.MacAddress;
import io.ipop.secure.AddressGrants;
import io.ipop.secure.PeerIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the peer at the other end of a link may speak as, and be spoken to as: its MAC and the source
 * addresses it may use. With certificates all of it is certified: the name fixes the MAC
 * ({@link MacAddress#derivedFrom}), the overlay address and {@code --routes} the IPv4 sources, {@code --ip6}
 * and {@code --routes} the global IPv6 sources, {@code --router} whether it may send IPv6 router
 * advertisements and redirects. Without certificates it is what the peer's hello claimed (its MAC and
 * overlay address; no global IPv6, no router). Immutable.
 *
 * @param certified true if it comes from a verified certificate
 * @param groups    the certified groups (empty without a certificate), for the firewall
 */
public record LinkIdentity(String name, long mac, List<Ipv4Prefix> ipv4, List<Ipv6Prefix> ipv6, boolean router,
                           List<String> groups, boolean certified) {

    public LinkIdentity {
        ipv4 = List.copyOf(ipv4);
        ipv6 = List.copyOf(ipv6);
        groups = List.copyOf(groups);
    }

    /** An uncertified peer that may use only {@code mac} and the one IPv4 address {@code address}. */
    public static LinkIdentity claimed(String name, MacAddress mac, int address) {
        return new LinkIdentity(name, mac.bits(), List.of(Ipv4Prefix.host(address)), List.of(), false, List.of(), false);
    }

    /** A peer with a verified certificate: everything from the certificate ({@link AddressGrants}). */
    public static LinkIdentity certified(PeerIdentity id) {
        AddressGrants g = id.grants();
        List<Ipv4Prefix> v4 = new ArrayList<>(List.of(Ipv4Prefix.host(id.address().address())));
        v4.addAll(g.routes4());
        List<Ipv6Prefix> v6 = new ArrayList<>(g.ip6());
        v6.addAll(g.routes6());
        return new LinkIdentity(id.name(), id.mac().bits(), v4, v6, g.router(), id.groups(), true);
    }

    /** True if the peer may send from IPv4 {@code address}. */
    public boolean mayUse(int address) {
        for (Ipv4Prefix p : ipv4) {
            if (p.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if the peer may use IPv6 {@code hi:lo}: certified to it, or link-local (fe80::/10) unless the
     * interface id is the EUI-64 of another MAC (RFC 4291 2.5.1: a claim on another node's address).
     */
    public boolean mayUse(long hi, long lo) {
        if (isLinkLocal(hi)) {
            return !isEui64(lo) || eui64Mac(lo) == mac;
        }
        for (Ipv6Prefix p : ipv6) {
            if (p.contains(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    public static boolean isLinkLocal(long hi) {
        return (hi >>> 54) == 0x3FA;                     // fe80::/10
    }

    static boolean isEui64(long lo) {
        return ((lo >>> 24) & 0xFFFF) == 0xFFFE;
    }

    /** The MAC an EUI-64 interface id was made from: ff:fe taken out, the universal/local bit flipped back. */
    static long eui64Mac(long lo) {
        return ((((lo >>> 40) & 0xFF_FFFF) ^ 0x02_0000) << 24) | (lo & 0xFF_FFFF);
    }
}
