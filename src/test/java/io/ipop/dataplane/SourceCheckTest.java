package io.ipop.dataplane;

import static io.ipop.frame.Frames.v4;
import static io.ipop.frame.Frames.v6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ipop.counters.DataDrop;
import io.ipop.counters.Drop;
import io.ipop.frame.FrameView;
import io.ipop.frame.Frames;
import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.Ipv6Prefix;
import io.ipop.frame.MacAddress;
import io.ipop.route.LinkIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invariant 1: every way an insider on its own link could speak as another node is refused with its own reason. */
class SourceCheckTest {
    private static final long C_MAC = MacAddress.derivedFrom("c").bits();
    private static final long B_MAC = MacAddress.derivedFrom("b").bits();
    private static final long A_MAC = MacAddress.derivedFrom("a").bits();
    /** c: 10.77.0.3, routes 192.168.50.0/24, IPv6 fd77::3 and fd00:50::/64, not a router. */
    private static final LinkIdentity C = new LinkIdentity("c", C_MAC,
            List.of(Ipv4Prefix.host(v4("10.77.0.3")), Ipv4Prefix.parse("192.168.50.0/24")),
            List.of(Ipv6Prefix.parse("fd77::3", true), Ipv6Prefix.parse("fd00:50::/64", false)), false, List.of("red"), true);
    private final FrameView view = new FrameView();

    private Drop check(LinkIdentity peer, byte[] frame) {
        return SourceCheck.check(peer, view, frame, 0, frame.length);
    }

    @Test
    void arpMustBeThePeersOwn() {
        assertNull(check(C, Frames.arp(C_MAC, C_MAC, v4("10.77.0.3"), v4("10.77.0.1"), 1)));
        assertNull(check(C, Frames.arp(C_MAC, C_MAC, 0, v4("10.77.0.3"), 1)), "an RFC 5227 probe");
        assertEquals(DataDrop.SPOOFED_ARP, check(C, Frames.arp(C_MAC, C_MAC, v4("10.77.0.2"), v4("10.77.0.1"), 2)),
                "a reply claiming b's address");
        assertEquals(DataDrop.SPOOFED_ARP, check(C, Frames.arp(C_MAC, B_MAC, v4("10.77.0.3"), v4("10.77.0.1"), 2)),
                "a sender MAC that is b's");
    }

    @Test
    void ipv4SourcesAreTheCertifiedAddressOrRoutes() {
        assertNull(check(C, Frames.ipv4(A_MAC, C_MAC, v4("10.77.0.3"), v4("10.77.0.1"), 1, Frames.icmp(8, 1))));
        assertNull(check(C, Frames.ipv4(A_MAC, C_MAC, v4("192.168.50.7"), v4("10.77.0.1"), 1, Frames.icmp(8, 1))));
        assertEquals(DataDrop.SPOOFED_SOURCE, check(C, Frames.ipv4(A_MAC, C_MAC, v4("10.77.0.2"), v4("10.77.0.1"), 1, Frames.icmp(8, 1))));
        assertEquals(DataDrop.SPOOFED_SOURCE, check(C, Frames.ipv4(A_MAC, C_MAC, v4("192.168.51.7"), v4("10.77.0.1"), 17,
                Frames.ports(1, 2), 0x8100, 0x0800)), "inside a VLAN tag too");
        LinkIdentity uncertified = LinkIdentity.claimed("c", new MacAddress(C_MAC), v4("10.77.0.3"));
        assertEquals(DataDrop.SPOOFED_SOURCE, check(uncertified, Frames.ipv4(A_MAC, C_MAC, v4("192.168.50.7"), 1, 1, Frames.icmp(8, 1))));
    }

    @Test
    void ipv6SourcesAreCertifiedOrLinkLocalOfTheirOwnMac() {
        long[] any = v6("fd77::1");
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, v6("fd77::3"), any, 17, Frames.ports(1, 2))));
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, v6("fd00:50::99"), any, 17, Frames.ports(1, 2))));
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, v6("fe80::1234"), any, 17, Frames.ports(1, 2))), "a random link-local");
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, eui64(C_MAC), any, 17, Frames.ports(1, 2))), "its own EUI-64");
        assertEquals(DataDrop.SPOOFED_SOURCE, check(C, Frames.ipv6(A_MAC, C_MAC, eui64(B_MAC), any, 17, Frames.ports(1, 2))),
                "b's EUI-64 link-local address");
        assertEquals(DataDrop.SPOOFED_SOURCE, check(C, Frames.ipv6(A_MAC, C_MAC, v6("fd77::2"), any, 17, Frames.ports(1, 2))));
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, new long[] {0, 0}, v6("ff02::1:ff00:3"), 58,
                Frames.neighbor(FrameView.NEIGHBOR_SOLICITATION, v6("fd77::3"), -1))), "duplicate address detection from ::");
    }

    @Test
    void neighborDiscoveryCannotClaimAnotherNode() {
        long[] src = v6("fe80::1234");
        long[] all = v6("ff02::1");
        assertNull(check(C, Frames.ipv6(A_MAC, C_MAC, src, all, 58, Frames.neighbor(136, v6("fd77::3"), C_MAC))));
        assertEquals(DataDrop.SPOOFED_NEIGHBOR, check(C, Frames.ipv6(A_MAC, C_MAC, src, all, 58,
                Frames.neighbor(136, v6("fd77::2"), C_MAC))), "an advertisement for b's certified address");
        assertEquals(DataDrop.SPOOFED_NEIGHBOR, check(C, Frames.ipv6(A_MAC, C_MAC, src, all, 58,
                Frames.neighbor(136, eui64(B_MAC), C_MAC))), "an advertisement for b's link-local address");
        assertEquals(DataDrop.SPOOFED_NEIGHBOR, check(C, Frames.ipv6(A_MAC, C_MAC, src, all, 58,
                Frames.neighbor(136, v6("fd77::3"), B_MAC))), "its own address, but b's MAC in the option");
        assertEquals(DataDrop.SPOOFED_NEIGHBOR, check(C, Frames.ipv6(A_MAC, C_MAC, src, all, 58,
                Frames.neighbor(135, v6("fd77::1"), B_MAC))), "a solicitation whose source option is b's MAC");
    }

    @Test
    void routerAdvertisementsAndRedirectsOnlyFromACertifiedRouter() {
        byte[] ra = Frames.ipv6(A_MAC, C_MAC, v6("fe80::1234"), v6("ff02::1"), 58, Frames.icmp(134, 0));
        byte[] redirect = Frames.ipv6(A_MAC, C_MAC, v6("fe80::1234"), v6("fd77::1"), 58, new byte[40]);
        redirect[redirect.length - 40] = (byte) 137;
        assertEquals(DataDrop.NOT_A_ROUTER, check(C, ra));
        assertEquals(DataDrop.NOT_A_ROUTER, check(C, redirect));
        LinkIdentity router = new LinkIdentity("c", C_MAC, C.ipv4(), C.ipv6(), true, C.groups(), true);
        assertNull(check(router, ra));
        assertNull(check(router, redirect));
    }

    @Test
    void cutHeadersAreMalformedAndOtherProtocolsPass() {
        byte[] ip = Frames.ipv4(A_MAC, C_MAC, v4("10.77.0.3"), 1, 6, Frames.ports(1, 2));
        assertEquals(DataDrop.MALFORMED_FRAME, SourceCheck.check(C, view, ip, 0, 14 + 19));
        byte[] lldp = Frames.arp(C_MAC, C_MAC, 1, 2, 1);
        lldp[12] = (byte) 0x88;
        lldp[13] = (byte) 0xCC;
        assertNull(check(C, lldp));
    }

    /** The EUI-64 link-local address of {@code mac} (RFC 4291 appendix A). */
    static long[] eui64(long mac) {
        long oui = ((mac >>> 24) & 0xFF_FFFF) ^ 0x02_0000;
        long lo = (oui << 40) | (0xFFFEL << 24) | (mac & 0xFF_FFFF);
        return new long[] {0xFE80_0000_0000_0000L, lo};
    }
}
