package io.ipop.tap.linux;

import static io.ipop.tap.linux.TestFrames.ETH;
import static io.ipop.tap.linux.TestFrames.checksumsVerify;
import static io.ipop.tap.linux.TestFrames.fold;
import static io.ipop.tap.linux.TestFrames.random;
import static io.ipop.tap.linux.TestFrames.sum;
import static io.ipop.tap.linux.TestFrames.tcpV4;
import static io.ipop.tap.linux.TestFrames.withChecksums;
import static io.ipop.tap.linux.TestFrames.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Userspace GRO: what it joins must be a super-frame the kernel accepts (vnet header, lengths,
 * checksums) and that segments back into exactly the segments it was made of; what the kernel's GRO
 * would not merge it must not merge either, nor a segment whose checksums do not verify.
 */
class CoalescerTest {
    private static final int CAPACITY = 65_536 + 2048;
    private static final int MSS = 1360;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    @Test
    void joinsAFlowsSegmentsIntoASuperFrameThatSegmentsBackExactly() {
        byte[] payload = random(20_000);
        List<byte[]> segments = segment(tcpV4(payload, 0xFFFF_F000L, ACK | PSH), MSS);   // the sequence wraps
        assertEquals(15, segments.size());
        Coalescer c = new Coalescer(CAPACITY);
        assertTrue(c.start(segments.get(0), 0, segments.get(0).length));
        for (byte[] s : segments.subList(1, segments.size())) {
            assertTrue(c.append(s, 0, s.length));
        }
        assertEquals(15, c.segments());
        int n = c.finish();
        byte[] out = Arrays.copyOf(c.buffer(), n);
        assertTrue(c.isEmpty());

        VnetHeader h = VnetHeader.read(out);
        assertEquals(new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, 54, MSS, 34, 16), h);
        byte[] frame = Arrays.copyOfRange(out, VnetHeader.LENGTH, n);
        assertEquals(54 + payload.length, frame.length);
        assertEquals(40 + payload.length, ByteBuffer.wrap(frame).getShort(ETH + 2) & 0xFFFF, "IPv4 total length");
        assertEquals(0xFFFF, sum(frame, ETH, 20), "IPv4 header checksum verifies");
        int tcpLength = 20 + payload.length;
        assertEquals(fold(words(frame, ETH + 12, 8) + 6 + tcpLength), ByteBuffer.wrap(frame).getShort(ETH + 36) & 0xFFFF,
                "the TCP checksum field holds the pseudo-header sum for the kernel to complete");
        assertEquals(ACK | PSH, frame[ETH + 33] & 0xFF, "PSH of the last segment");
        assertArrayEquals(payload, Arrays.copyOfRange(frame, 54, frame.length));

        List<byte[]> again = new ArrayList<>();
        assertTrue(Segmenter.emit(out, VnetHeader.LENGTH, frame.length, h, again::add));
        assertEquals(segments.size(), again.size());
        for (int i = 0; i < segments.size(); i++) {
            assertArrayEquals(segments.get(i), again.get(i), "segment " + i + " after the round trip");
        }
    }

    @Test
    void aRunOfOneIsWrittenAsItCame() {
        byte[] f = withChecksums(tcpV4(random(500), 7, ACK));
        Coalescer c = new Coalescer(CAPACITY);
        assertTrue(c.start(f, 0, f.length));
        int n = c.finish();
        assertEquals(new VnetHeader(VnetHeader.F_DATA_VALID, 0, 0, 0, 0, 0), VnetHeader.read(c.buffer()));
        assertArrayEquals(f, Arrays.copyOfRange(c.buffer(), VnetHeader.LENGTH, n));
    }

    @Test
    void joinsOnlyWhatFollowsInTheSameFlow() {
        List<byte[]> segs = segment(tcpV4(random(6 * MSS), 1000, ACK), MSS);
        assertRefused(segs, 2, s -> { }, "a gap in the sequence");
        assertRefused(segs, 1, s -> s[ETH + 20 + 1]++, "another destination port");
        assertRefused(segs, 1, s -> s[ETH + 19]++, "another destination address");
        assertRefused(segs, 1, s -> s[5]++, "another source MAC");
        assertRefused(segs, 1, s -> s[ETH + 20 + 11]++, "another acknowledgment number");
        assertRefused(segs, 1, s -> s[ETH + 20 + 15]++, "another window");
        assertRefused(segs, 1, s -> s[ETH + 8]--, "another TTL");
        assertRefused(segs, 1, s -> s[ETH + 1] = 0x02, "another TOS (ECN)");
        assertRefused(segs, 1, s -> s[ETH + 20 + 13] = (byte) (ACK | 0x01), "FIN");
        assertRefused(segs, 1, s -> s[ETH + 20 + 13] = (byte) (ACK | 0x40), "ECE");
        assertRefused(segs, 1, s -> s[ETH + 6] = 0x20, "a fragment");
    }

    @Test
    void aSegmentWhoseChecksumFailsIsNeitherJoinedNorVouchedFor() {
        List<byte[]> segs = segment(tcpV4(random(3 * MSS), 1000, ACK), MSS);
        for (int at : new int[] {ETH + 20 + 16, ETH + 54 + 700, ETH + 20 + 7, ETH + 4, ETH + 10}) {
            byte[] bad = segs.get(1).clone();
            bad[at] ^= 0x01;                                              // TCP checksum, payload, seq, IP id, IP checksum
            Coalescer c = new Coalescer(CAPACITY);
            assertTrue(c.start(segs.get(0), 0, segs.get(0).length));
            assertFalse(c.append(bad, 0, bad.length), "byte " + at + " changed");
            assertEquals(1, c.segments());
            c.finish();
            assertFalse(c.start(bad, 0, bad.length), "no run of one either (it would be marked DATA_VALID): byte " + at);
            assertTrue(c.isEmpty());
        }
    }

    @Test
    void pshOrAShortSegmentEndsTheRun() {
        byte[] psh = withChecksums(tcpV4(random(MSS), 1000, ACK | PSH));
        byte[] next = withChecksums(tcpV4(random(MSS), 1000 + MSS, ACK));
        Coalescer c = new Coalescer(CAPACITY);
        assertTrue(c.start(psh, 0, psh.length));
        assertFalse(c.append(next, 0, next.length), "nothing after PSH");
        c.finish();

        byte[] shortOne = withChecksums(tcpV4(random(MSS - 100), 1000, ACK));
        byte[] after = withChecksums(tcpV4(random(MSS - 100), 1000 + MSS - 100, ACK));
        byte[] full = withChecksums(tcpV4(random(MSS), 1000, ACK));
        byte[] longer = withChecksums(tcpV4(random(MSS + 1), 1000 + MSS, ACK));
        assertTrue(c.start(full, 0, full.length));
        assertFalse(c.append(longer, 0, longer.length), "a segment larger than the first");
        c.finish();
        assertTrue(c.start(full, 0, full.length));
        byte[] shorter = withChecksums(tcpV4(random(MSS - 100), 1000 + MSS, ACK));
        assertTrue(c.append(shorter, 0, shorter.length));
        byte[] afterShort = withChecksums(tcpV4(random(MSS - 100), 1000 + 2 * MSS - 100, ACK));
        assertFalse(c.append(afterShort, 0, afterShort.length), "nothing after a short segment");
        assertEquals(2, c.segments());
        c.finish();
        assertTrue(c.start(shortOne, 0, shortOne.length));
        assertTrue(c.append(after, 0, after.length), "equal segments below any MSS join");
    }

    @Test
    void staysWithinTheIpv4LengthAndTheBuffer() {
        List<byte[]> segs = segment(tcpV4(random(60 * MSS), 1, ACK), MSS);
        Coalescer c = new Coalescer(CAPACITY);
        assertTrue(c.start(segs.get(0), 0, segs.get(0).length));
        int joined = 1;
        while (joined < segs.size() && c.append(segs.get(joined), 0, segs.get(joined).length)) {
            joined++;
        }
        assertEquals((65_535 - 40) / MSS, joined, "as many as fit in one IPv4 packet");
        int n = c.finish();
        assertTrue(n - VnetHeader.LENGTH - ETH <= 65_535);

        Coalescer small = new Coalescer(VnetHeader.LENGTH + 3 * (54 + MSS));
        assertTrue(small.start(segs.get(0), 0, segs.get(0).length));
        int fit = 1;
        while (fit < segs.size() && small.append(segs.get(fit), 0, segs.get(fit).length)) {
            fit++;
        }
        assertEquals(3, fit, "no more than the buffer holds: " + fit);
    }

    @Test
    void neverStartsARunWithWhatCannotBeJoined() {
        Coalescer c = new Coalescer(CAPACITY);
        byte[] syn = withChecksums(tcpV4(random(100), 1, 0x02));
        byte[] noPayload = withChecksums(tcpV4(new byte[0], 1, ACK));
        byte[] withIpOptions = tcpV4(random(100), 1, ACK);
        withIpOptions[ETH] = 0x46;
        withChecksums(withIpOptions);
        byte[] arp = Arrays.copyOf(withChecksums(tcpV4(random(100), 1, ACK)), 60);
        arp[13] = 0x06;
        byte[] padded = Arrays.copyOf(withChecksums(tcpV4(random(10), 1, ACK)), 80);   // IPv4 length below the frame's
        for (byte[] f : List.of(syn, noPayload, withIpOptions, arp, padded, new byte[0], new byte[20])) {
            assertFalse(c.start(f, 0, f.length));
            assertTrue(c.isEmpty());
        }
    }

    /**
     * Random segment trains, a quarter of the segments with a byte changed and some cut short: what the
     * coalescer writes (super-frames segmented again, runs of one, and the frames it left to the caller,
     * which writes them as they came) is the input, frame by frame and byte for byte, and whatever it
     * vouches for (a run of one marked DATA_VALID, a super-frame) verifies.
     */
    @Test
    void randomFramesComeOutExactlyAsTheyWentIn() {
        Random seeds = new Random(20261127);
        int joined = 0;
        int leftToTheCaller = 0;
        for (int i = 0; i < 2000; i++) {
            long seed = RandomInput.seed(seeds.nextLong(), 1, i);
            String trial = RandomInput.trial(i, 2000, seed);
            Random r = new Random(seed);
            List<byte[]> segs = segment(tcpV4(random(1 + r.nextInt(8 * MSS)), r.nextInt(), ACK), 200 + r.nextInt(MSS));
            Coalescer c = new Coalescer(CAPACITY);
            List<byte[]> in = new ArrayList<>();
            List<byte[]> written = new ArrayList<>();
            for (byte[] s : segs) {
                if (r.nextInt(4) == 0) {
                    s[r.nextInt(s.length)] = (byte) r.nextInt(256);         // a corrupted byte anywhere
                }
                int len = r.nextInt(8) == 0 ? r.nextInt(s.length + 1) : s.length;
                in.add(Arrays.copyOf(s, len));
                if (c.append(s, 0, len)) {
                    continue;
                }
                if (!c.isEmpty()) {
                    joined += finishInto(c, written, trial);
                }
                if (!c.start(s, 0, len)) {
                    assertTrue(c.isEmpty(), trial);
                    written.add(Arrays.copyOf(s, len));
                    leftToTheCaller++;
                }
            }
            if (!c.isEmpty()) {
                joined += finishInto(c, written, trial);
            }
            assertEquals(in.size(), written.size(), trial);
            for (int k = 0; k < in.size(); k++) {
                assertArrayEquals(in.get(k), written.get(k), "frame " + k + ", " + trial);
            }
        }
        assertTrue(joined > 2000 && leftToTheCaller > 1000, joined + " segments joined, " + leftToTheCaller + " left to the caller");
    }

    /** Finishes the run into the frames it stands for; returns how many segments a super-frame joined (0 for a run of one). */
    private static int finishInto(Coalescer c, List<byte[]> written, String trial) {
        int segments = c.segments();
        int n = c.finish();
        VnetHeader h = VnetHeader.read(c.buffer());
        List<byte[]> out = new ArrayList<>();
        assertTrue(Segmenter.emit(c.buffer(), VnetHeader.LENGTH, n - VnetHeader.LENGTH, h, out::add), trial);
        assertEquals(segments, out.size(), trial);
        if (segments == 1) {
            assertEquals(VnetHeader.F_DATA_VALID, h.flags(), trial);
        }
        for (byte[] s : out) {
            assertTrue(checksumsVerify(s), "what the coalescer vouches for verifies: " + trial);
        }
        written.addAll(out);
        return segments > 1 ? segments : 0;
    }

    private static void assertRefused(List<byte[]> segs, int at, Consumer<byte[]> change, String what) {
        Coalescer c = new Coalescer(CAPACITY);
        assertTrue(c.start(segs.get(0), 0, segs.get(0).length));
        byte[] s = segs.get(at).clone();
        change.accept(s);
        withChecksums(s);                                   // refused for what changed, not for its checksum
        assertFalse(c.append(s, 0, s.length), what);
        assertEquals(1, c.segments(), what);
    }

    /** The segments a TSO sender puts on the wire (the super-frame's checksums are ignored by the segmenter). */
    private static List<byte[]> segment(byte[] superFrame, int mss) {
        List<byte[]> out = new ArrayList<>();
        assertTrue(Segmenter.emit(superFrame, 0, superFrame.length,
                new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, 54, mss, 34, 16), out::add));
        return out;
    }
}
