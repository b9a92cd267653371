package io.ipop.tap.linux;

import static io.ipop.tap.linux.TestFrames.ETH;
import static io.ipop.tap.linux.TestFrames.fold;
import static io.ipop.tap.linux.TestFrames.random;
import static io.ipop.tap.linux.TestFrames.sum;
import static io.ipop.tap.linux.TestFrames.tcpV4;
import static io.ipop.tap.linux.TestFrames.tcpV4Sum;
import static io.ipop.tap.linux.TestFrames.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Userspace TSO: segments must be what a NIC would have sent, checked with an independent checksum. */
class SegmenterTest {
    @Test
    void splitsATcpV4SuperFrameIntoValidSegments() {
        byte[] payload = random(4000);
        byte[] sup = tcpV4(payload, 1000, 0x18 | 0x01 | 0x80);   // PSH|ACK... plus FIN and CWR
        VnetHeader h = new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, 54, 1448, 34, 16);
        List<byte[]> segs = emit(sup, h);

        assertEquals(3, segs.size());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long seq = 1000;
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            ByteBuffer b = ByteBuffer.wrap(s);
            int len = s.length - 54;
            assertEquals(i < 2 ? 1448 : 1104, len);
            assertEquals(20 + 20 + len, b.getShort(ETH + 2) & 0xFFFF, "IPv4 total length");
            assertEquals(0x1234 + i, b.getShort(ETH + 4) & 0xFFFF, "IPv4 id increments");
            assertEquals(0xFFFF, sum(s, ETH, 20), "IPv4 header checksum verifies");
            assertEquals(seq, b.getInt(ETH + 20 + 4) & 0xFFFF_FFFFL, "sequence number");
            int flags = s[ETH + 20 + 13] & 0xFF;
            boolean last = i == segs.size() - 1;
            assertEquals(last, (flags & 0x01) != 0, "FIN on the last segment only");
            assertEquals(last, (flags & 0x08) != 0, "PSH on the last segment only");
            assertEquals(i == 0, (flags & 0x80) != 0, "CWR on the first segment only");
            assertTrue((flags & 0x10) != 0, "ACK everywhere");
            assertEquals(0xFFFF, tcpV4Sum(s), "TCP checksum verifies");
            joined.write(s, 54, len);
            seq += len;
        }
        assertArrayEquals(payload, joined.toByteArray(), "payload survives in order");
    }

    @Test
    void splitsATcpV6SuperFrame() {
        byte[] payload = random(3000);
        byte[] sup = tcpV6(payload, 7);
        VnetHeader h = new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV6, 74, 1400, 54, 16);
        List<byte[]> segs = emit(sup, h);
        assertEquals(3, segs.size());
        for (byte[] s : segs) {
            int len = s.length - 74;
            assertEquals(20 + len, ByteBuffer.wrap(s).getShort(ETH + 4) & 0xFFFF, "IPv6 payload length");
            assertEquals(0xFFFF, tcpV6Sum(s), "TCP checksum over the IPv6 pseudo-header verifies");
        }
    }

    @Test
    void completesAChecksumLeftToTheDevice() {
        byte[] f = udpV4(random(333));
        // as the kernel leaves it: the pseudo-header sum (folded, not complemented) in the checksum field
        long pseudo = words(f, ETH + 12, 8) + 17 + (8 + 333);
        int folded = (int) fold(pseudo);
        f[ETH + 20 + 6] = (byte) (folded >>> 8);
        f[ETH + 20 + 7] = (byte) folded;
        List<byte[]> out = emit(f, new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_NONE, 0, 0, 34, 6));
        assertEquals(1, out.size());
        byte[] s = out.get(0);
        long check = words(s, ETH + 12, 8) + 17 + (8 + 333) + words(s, ETH + 20, 8 + 333);
        assertEquals(0xFFFF, fold(check), "UDP checksum verifies");
    }

    @Test
    void aPlainFrameIsPassedUnchanged() {
        byte[] f = udpV4(random(100));
        List<byte[]> out = emit(f, new VnetHeader(0, VnetHeader.GSO_NONE, 0, 0, 0, 0));
        assertArrayEquals(f, out.get(0));
    }

    @Test
    void refusesWhatItCannotSegment() {
        byte[] notIp = new byte[200];
        notIp[12] = 0x08;
        notIp[13] = 0x06;                                    // ARP
        List<byte[]> out = new ArrayList<>();
        assertFalse(Segmenter.emit(notIp, 0, notIp.length,
                new VnetHeader(0, VnetHeader.GSO_TCPV4, 54, 1448, 0, 0), out::add));
        assertTrue(out.isEmpty());
    }

    private static List<byte[]> emit(byte[] frame, VnetHeader h) {
        List<byte[]> out = new ArrayList<>();
        byte[] padded = new byte[frame.length + 5];               // at an offset, as LinuxTap passes it
        System.arraycopy(frame, 0, padded, 5, frame.length);
        assertTrue(Segmenter.emit(padded, 5, frame.length, h, out::add));
        return out;
    }

    private static byte[] tcpV6(byte[] payload, long seq) {
        ByteBuffer b = ByteBuffer.allocate(74 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86DD);
        b.putInt(0x60000000).putShort((short) (20 + payload.length)).put((byte) 6).put((byte) 64);
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        src[0] = (byte) 0xfd;
        src[15] = 1;
        dst[0] = (byte) 0xfd;
        dst[15] = 2;
        b.put(src).put(dst);
        b.putShort((short) 40000).putShort((short) 5201).putInt((int) seq).putInt(99)
                .put((byte) 0x50).put((byte) 0x18).putShort((short) 512).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static byte[] udpV4(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(42 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 77, 0, 1}).put(new byte[] {10, 77, 0, 2});
        b.putShort((short) 5000).putShort((short) 6000).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static long tcpV6Sum(byte[] s) {
        int tcpLen = s.length - ETH - 40;
        return fold(words(s, ETH + 8, 32) + 6 + tcpLen + words(s, ETH + 40, tcpLen));
    }
}
