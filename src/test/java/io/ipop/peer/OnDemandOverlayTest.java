package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.route.LinkCounters;
import io.ipop.route.RouteTable;
import io.ipop.route.Routes;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Traffic for a member without a link asks for an overlay session, at a bounded rate. */
class OnDemandOverlayTest {
    private static final PeerId C = PeerId.of("c");
    private final OverlayMembers members = new OverlayMembers();
    private final AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
    private final List<PeerId> asked = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final OnDemandOverlay demand = new OnDemandOverlay(members, routes::get, asked::add, now::get);

    @Test
    void anArpRequestForAMembersAddressAsksOnceASecond() {
        members.found(C, null, OverlayAddress.parse("10.77.0.3/24", true));
        byte[] arp = arpRequest("10.77.0.3");
        demand.broadcast(arp, arp.length);
        demand.broadcast(arp, arp.length);
        assertEquals(List.of(C), asked, "one request per member per second");
        now.addAndGet(1_000_000_000L);
        demand.broadcast(arp, arp.length);
        assertEquals(List.of(C, C), asked);
        byte[] other = arpRequest("10.77.0.99");
        demand.broadcast(other, other.length);
        assertEquals(2, asked.size(), "not a member's address: nothing");
    }

    @Test
    void aMemberWithAnUpLinkIsNotAskedFor() {
        members.found(C, null, OverlayAddress.parse("10.77.0.3/24", true));
        routes.set(RouteTable.of(List.of(Routes.of("c", 1, 2, Endpoint.parse("192.0.2.3:5800"), new LinkCounters(), null))));
        byte[] arp = arpRequest("10.77.0.3");
        demand.broadcast(arp, arp.length);
        assertEquals(List.of(), asked);
    }

    @Test
    void unicastForAMembersMacAsksAndAFloodOfMembersIsBounded() {
        demand.unknownUnicast(MacAddress.derivedFrom("c").bits());
        assertEquals(List.of(), asked, "not a member yet");
        members.found(C, null, null);
        demand.unknownUnicast(MacAddress.derivedFrom("c").bits());
        assertEquals(List.of(C), asked, "the MAC its name derives");
        for (int i = 0; i < 100; i++) {
            members.found(PeerId.of("m" + i), null, null);
            demand.unknownUnicast(MacAddress.derivedFrom("m" + i).bits());
        }
        assertEquals(OnDemandOverlay.PER_SECOND, asked.size(), "at most 20 requests a second in all");
        members.lost(C);
        now.addAndGet(2_000_000_000L);
        demand.unknownUnicast(MacAddress.derivedFrom("c").bits());
        assertEquals(OnDemandOverlay.PER_SECOND, asked.size(), "a member that left is not asked for");
    }

    private static byte[] arpRequest(String target) {
        byte[] f = new byte[42];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0xFF;
        }
        f[12] = 0x08;
        f[13] = 0x06;
        f[14 + 7] = 1;                                   // opcode: request
        int ip = OverlayAddress.parse(target + "/24", true).address();
        f[38] = (byte) (ip >>> 24);
        f[39] = (byte) (ip >>> 16);
        f[40] = (byte) (ip >>> 8);
        f[41] = (byte) ip;
        return f;
    }
}
