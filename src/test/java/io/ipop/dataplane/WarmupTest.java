package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.FrameView;
import io.ipop.frame.MacAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The warm-up's frames really pass the real paths: a wrong key, index or identity would lose them. */
class WarmupTest {
    private static final MacAddress OWN = MacAddress.parse("02:ca:00:00:00:01");

    @Test
    void everySyntheticFrameComesThroughTheSecureAndPlaintextPaths() {
        // 4096 frames in bursts of 32: three of every four bursts secure, so both kinds of link ran.
        assertEquals(4096, Warmup.run(OWN, 1400, 4096, 32));
    }

    @Test
    void aSmallMtuShortensTheFramesAndTheyStillComeThrough() {
        assertEquals(650, Warmup.run(OWN, 576, 650, 16));            // the last burst is short: exactly 650
    }

    @Test
    void theFramesAreOfEveryKindRealTrafficCarries() {
        // compiled code deoptimizes on a branch its profile never saw: the warm-up must show it each kind
        long peer = MacAddress.parse("02:00:00:ff:ff:02").bits();
        FrameView v = new FrameView();
        int[][] expected = {   // kind -> FrameView kind ordinal, protocol, ICMP type
            {Warmup.UDP, FrameView.Kind.IPV4.ordinal(), FrameView.PROTO_UDP, -1},
            {Warmup.TCP, FrameView.Kind.IPV4.ordinal(), FrameView.PROTO_TCP, -1},
            {Warmup.ECHO_REQUEST, FrameView.Kind.IPV4.ordinal(), FrameView.PROTO_ICMP, 8},
            {Warmup.ECHO_REPLY, FrameView.Kind.IPV4.ordinal(), FrameView.PROTO_ICMP, 0},
        };
        for (int[] e : expected) {
            byte[] f = Warmup.frame(e[0], 98, OWN.bits(), peer, new Random(e[0]));
            assertTrue(v.parse(f, 0, f.length), "kind " + e[0]);
            assertEquals(e[1], v.kind.ordinal(), "kind " + e[0]);
            assertEquals(e[2], v.protocol, "kind " + e[0]);
            assertEquals(e[3], v.icmpType, "kind " + e[0]);
            assertEquals(0x0AFF_FF02, v.v4Src);
        }
        byte[] arp = Warmup.frame(Warmup.ARP, 98, OWN.bits(), peer, new Random(1));
        assertTrue(v.parse(arp, 0, arp.length));
        assertEquals(FrameView.Kind.ARP, v.kind);
        assertEquals(peer, v.arpSenderMac);
        assertEquals(0x0AFF_FF02, v.arpSenderIp);
    }
}
