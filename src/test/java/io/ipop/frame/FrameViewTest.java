package io.ipop.frame;

import static io.ipop.frame.Frames.v4;
import static io.ipop.frame.Frames.v6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the frame classifier reads of every kind of frame, and that it refuses cut or inconsistent headers without throwing. */
class FrameViewTest {
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;
    private final FrameView v = new FrameView();

    @Test
    void arpGivesTheSender() {
        assertTrue(parse(Frames.arp(A, B, v4("10.77.0.2"), v4("10.77.0.1"), 2)));
        assertEquals(FrameView.Kind.ARP, v.kind);
        assertEquals(B, v.arpSenderMac);
        assertEquals(v4("10.77.0.2"), v.arpSenderIp);
    }

    @Test
    void ipv4TcpUdpAndIcmp() {
        assertTrue(parse(Frames.ipv4(B, A, v4("10.77.0.1"), v4("10.77.0.2"), 6, Frames.ports(40000, 22))));
        assertEquals(FrameView.Kind.IPV4, v.kind);
        assertEquals(v4("10.77.0.1"), v.v4Src);
        assertEquals(v4("10.77.0.2"), v.v4Dst);
        assertTrue(v.hasPorts);
        assertEquals(40000, v.srcPort);
        assertEquals(22, v.dstPort);
        assertTrue(parse(Frames.ipv4(B, A, 1, 2, 17, Frames.ports(53, 5353))));
        assertEquals(5353, v.dstPort);
        assertTrue(parse(Frames.ipv4(B, A, 1, 2, 1, Frames.icmp(8, 0x4242))));
        assertFalse(v.hasPorts);
        assertEquals(8, v.icmpType);
        assertEquals(0x4242, v.icmpId);
    }

    @Test
    void vlanTagsAreLookedThroughUpToTwo() {
        assertTrue(parse(Frames.ipv4(B, A, v4("10.77.0.9"), 2, 17, Frames.ports(1, 2), 0x8100, 0x0800)));
        assertEquals(v4("10.77.0.9"), v.v4Src);
        assertTrue(parse(Frames.ipv4(B, A, v4("10.77.0.8"), 2, 17, Frames.ports(1, 2), 0x88A8, 0x8100, 0x0800)));
        assertEquals(v4("10.77.0.8"), v.v4Src);
        assertFalse(parse(Frames.ipv4(B, A, 1, 2, 17, Frames.ports(1, 2), 0x8100, 0x8100, 0x8100, 0x0800)),
                "a third tag is refused, not skipped");
    }

    @Test
    void ipv4FragmentsBeyondTheFirstCarryNoPorts() {
        byte[] f = Frames.ipv4(B, A, 1, 2, 6, Frames.ports(1, 22));
        f[14 + 6] = 0;
        f[14 + 7] = 10;                                  // offset 10 * 8
        assertTrue(parse(f));
        assertTrue(v.fragment);
        assertFalse(v.firstFragment);
        assertFalse(v.hasPorts);
    }

    @Test
    void ipv6WalksExtensionHeadersToTheUpperLayer() {
        byte[] f = Frames.ipv6(B, A, v6("fd77::1"), v6("fd77::2"), 6, Frames.ports(1000, 443),
                Frames.extension(0), Frames.extension(60), Frames.fragment(0, true));
        assertTrue(parse(f));
        assertEquals(FrameView.Kind.IPV6, v.kind);
        assertEquals(6, v.protocol);
        assertTrue(v.fragment);
        assertTrue(v.firstFragment);
        assertEquals(443, v.dstPort);
        assertEquals(v6("fd77::1")[0], v.v6SrcHi);
        assertEquals(v6("fd77::1")[1], v.v6SrcLo);
        assertTrue(parse(Frames.ipv6(B, A, v6("fd77::1"), v6("fd77::2"), 6, new byte[8], Frames.fragment(3, false))));
        assertFalse(v.firstFragment);
        assertFalse(v.hasPorts);
    }

    @Test
    void neighborAdvertisementGivesTargetAndLinkLayerAddress() {
        assertTrue(parse(Frames.ipv6(B, A, v6("fe80::1"), v6("ff02::1"), 58,
                Frames.neighbor(FrameView.NEIGHBOR_ADVERTISEMENT, v6("fd77::2"), A))));
        assertEquals(FrameView.NEIGHBOR_ADVERTISEMENT, v.icmpType);
        assertEquals(v6("fd77::2")[1], v.ndTargetLo);
        assertEquals(A, v.ndLinkLayer);
        assertTrue(parse(Frames.ipv6(B, A, v6("fe80::1"), v6("ff02::1"), 58,
                Frames.neighbor(FrameView.NEIGHBOR_SOLICITATION, v6("fd77::2"), -1))));
        assertEquals(-1, v.ndLinkLayer);
    }

    @Test
    void aZeroLengthNeighborOptionIsMalformed() {
        byte[] f = Frames.ipv6(B, A, v6("fe80::1"), v6("ff02::1"), 58, Frames.neighbor(FrameView.NEIGHBOR_ADVERTISEMENT, v6("fd77::2"), A));
        f[f.length - 7] = 0;                             // the option's length byte
        assertFalse(parse(f));
    }

    @Test
    void otherEtherTypesAreOther() {
        byte[] f = Frames.arp(A, A, 1, 2, 1);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xCC;                             // LLDP
        assertTrue(parse(f));
        assertEquals(FrameView.Kind.OTHER, v.kind);
    }

    @Test
    void everyTruncationOfAValidFrameParsesOrIsRefusedWithoutThrowing() {
        List<byte[]> frames = List.of(
                Frames.arp(A, B, 1, 2, 1),
                Frames.ipv4(B, A, 1, 2, 6, Frames.ports(1, 2), 0x8100, 0x0800),
                Frames.ipv4(B, A, 1, 2, 1, Frames.icmp(0, 7)),
                Frames.ipv6(B, A, v6("fd77::1"), v6("fd77::2"), 17, Frames.ports(1, 2), Frames.extension(0), Frames.fragment(0, true)),
                Frames.ipv6(B, A, v6("fe80::1"), v6("ff02::1"), 58, Frames.neighbor(136, v6("fd77::2"), A)));
        for (byte[] full : frames) {
            assertTrue(parse(full), "the whole frame parses");
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                boolean ok = v.parse(cut, 0, n);
                if (n < 14) {
                    assertFalse(ok, "a frame shorter than its Ethernet header, " + n + " bytes");
                }
            }
        }
    }

    @Test
    void randomBytesNeverThrowAndNeverReadPastTheEnd() {
        Random r = new Random(13);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(120)];
            r.nextBytes(b);
            if (b.length > 13 && r.nextBoolean()) {
                int[] types = {0x0800, 0x0806, 0x86DD, 0x8100, 0x88A8};
                int t = types[r.nextInt(types.length)];
                b[12] = (byte) (t >>> 8);
                b[13] = (byte) t;
                if (b.length > 14) {
                    b[14] = (byte) ((t == 0x86DD ? 0x60 : 0x45) | (b[14] & 0x0F & (t == 0x0800 ? 0 : 0xFF)));
                }
            }
            int offset = b.length == 0 ? 0 : r.nextInt(Math.min(4, b.length));
            byte[] padded = new byte[b.length + 64];     // bytes past the frame's end must never be read: poison them
            System.arraycopy(b, 0, padded, 0, b.length);
            Arrays.fill(padded, b.length, padded.length, (byte) 0x2C);
            boolean a = v.parse(b, offset, b.length - offset);
            FrameView.Kind kindA = v.kind;
            int srcA = v.v4Src;
            boolean c = v.parse(padded, offset, b.length - offset);
            assertEquals(a, c, "same answer whatever follows the frame, seed case " + i);
            assertEquals(kindA, v.kind);
            if (kindA == FrameView.Kind.IPV4) {
                assertEquals(srcA, v.v4Src);
            }
        }
    }

    private boolean parse(byte[] frame) {
        return v.parse(frame, 0, frame.length);
    }
}
