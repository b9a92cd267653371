package io.ipop.tap.linux;

import java.nio.ByteBuffer;
import java.util.Random;

/** Frames and an independent checksum for the tests of the offload code ({@link Segmenter}, {@link Coalescer}). */
final class TestFrames {
    static final int ETH = 14;

    private TestFrames() {
    }

    static byte[] tcpV4(byte[] payload, long seq, int flags) {
        ByteBuffer b = ByteBuffer.allocate(54 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {10, 77, 0, 1}).put(new byte[] {10, 77, 0, 2});
        b.putShort((short) 40000).putShort((short) 5201).putInt((int) seq).putInt(99)
                .put((byte) 0x50).put((byte) flags).putShort((short) 512).putShort((short) 0x1111).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /** {@code f} (a {@link #tcpV4} frame, possibly changed) with its IPv4 header and TCP checksums filled in. */
    static byte[] withChecksums(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(ETH + 10, (short) 0);
        b.putShort(ETH + 10, (short) ~sum(f, ETH, 20));
        b.putShort(ETH + 36, (short) 0);
        b.putShort(ETH + 36, (short) ~tcpV4Sum(f));
        return f;
    }

    /** Whether the IPv4 header and TCP checksums of a {@link #tcpV4} frame verify. */
    static boolean checksumsVerify(byte[] f) {
        return sum(f, ETH, 20) == 0xFFFF && tcpV4Sum(f) == 0xFFFF;
    }

    static long tcpV4Sum(byte[] s) {
        int tcpLen = s.length - ETH - 20;
        return fold(words(s, ETH + 12, 8) + 6 + tcpLen + words(s, ETH + 20, tcpLen));
    }

    /** Independent of the code under test: sum of big-endian 16-bit words via ByteBuffer. */
    static long words(byte[] b, int off, int len) {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        long sum = 0;
        while (bb.remaining() >= 2) {
            sum += bb.getShort() & 0xFFFF;
        }
        if (bb.hasRemaining()) {
            sum += (bb.get() & 0xFF) << 8;
        }
        return sum;
    }

    static long sum(byte[] b, int off, int len) {
        return fold(words(b, off, len));
    }

    static long fold(long s) {
        while (s > 0xFFFF) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
