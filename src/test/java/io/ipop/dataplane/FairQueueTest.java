package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link FairQueue}: byte-fair shares per destination, order within one, drops from the longest lane. */
class FairQueueTest {
    /** A frame of {@code length} bytes to unicast MAC 02:00:00:00:00:{@code dest}, its sequence number in bytes 14-17. */
    static byte[] frame(int dest, int seq, int length) {
        byte[] f = new byte[length];
        f[0] = 0x02;
        f[5] = (byte) dest;
        f[14] = (byte) (seq >>> 24);
        f[15] = (byte) (seq >>> 16);
        f[16] = (byte) (seq >>> 8);
        f[17] = (byte) seq;
        return f;
    }

    static int dest(byte[] f) {
        return (f[0] & 1) != 0 ? -1 : f[5] & 0xFF;
    }

    static int seq(byte[] f) {
        return (f[14] & 0xFF) << 24 | (f[15] & 0xFF) << 16 | (f[16] & 0xFF) << 8 | (f[17] & 0xFF);
    }

    @Test
    void destinationsWithBacklogsShareByBytesWhateverTheirFrameSizesAndBacklogs() {
        FairQueue q = new FairQueue(64L << 20);
        List<byte[]> burst = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            burst.add(frame(1, i, 1400));               // a big backlog of full frames
        }
        for (int i = 0; i < 5_000; i++) {
            burst.add(frame(2, i, 1400));
        }
        for (int i = 0; i < 20_000; i++) {
            burst.add(frame(3, i, 200));                // small frames: more of them per share
        }
        assertEquals(0, q.add(burst));
        Map<Integer, Long> bytes = new HashMap<>();
        int taken = 0;
        while (taken < 6_000) {                         // while all three still have frames waiting
            for (byte[] f : q.next(32)) {
                bytes.merge(dest(f), (long) f.length, Long::sum);
                taken++;
            }
        }
        long one = bytes.get(1), two = bytes.get(2), three = bytes.get(3);
        long max = Math.max(one, Math.max(two, three)), min = Math.min(one, Math.min(two, three));
        assertTrue(max - min <= 2 * FairQueue.QUANTUM, "bytes per destination " + bytes + " differ by more than two quanta");
    }

    @Test
    void eachDestinationKeepsItsOrderAndEveryFrameComesOutOnce() {
        FairQueue q = new FairQueue(64L << 20);
        int[] next = new int[4];
        int[] sent = new int[4];
        int out = 0;
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 2_000; round++) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = random.nextInt(40); i > 0; i--) {
                int d = 1 + random.nextInt(3);
                burst.add(frame(d, sent[d]++, 60 + random.nextInt(1400)));
            }
            assertEquals(0, q.add(burst));
            for (byte[] f : q.next(1 + random.nextInt(32))) {
                int d = dest(f);
                assertEquals(next[d]++, seq(f), "order of destination " + d);
                out++;
            }
        }
        while (!q.isEmpty()) {
            for (byte[] f : q.next(32)) {
                int d = dest(f);
                assertEquals(next[d]++, seq(f), "order of destination " + d);
                out++;
            }
        }
        assertEquals(sent[1] + sent[2] + sent[3], out);
        assertEquals(0, q.bytes());
    }

    @Test
    void aFullQueueDropsTheHeadOfTheLongestLaneAndStaysWithinItsCapacity() {
        FairQueue q = new FairQueue(100_000);
        List<byte[]> small = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            small.add(frame(2, i, 1000));               // 10 kB for destination 2
        }
        assertEquals(0, q.add(small));
        List<byte[]> flood = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            flood.add(frame(1, i, 1000));               // 500 kB for destination 1
        }
        int dropped = q.add(flood);
        assertEquals(410, dropped, "90 kB of destination 1 fit beside destination 2's 10 kB");
        assertTrue(q.bytes() <= 100_000);
        List<byte[]> rest = new ArrayList<>();
        while (!q.isEmpty()) {
            rest.addAll(q.next(64));
        }
        assertEquals(10, rest.stream().filter(f -> dest(f) == 2).count(), "the short lane lost nothing");
        List<Integer> ones = rest.stream().filter(f -> dest(f) == 1).map(FairQueueTest::seq).toList();
        assertEquals(90, ones.size());
        assertEquals(410, ones.get(0), "the longest lane lost its oldest frames, not its newest");
        assertEquals(499, ones.get(89));
    }

    @Test
    void broadcastsShareOneLaneAndRuntsDoNotBreakIt() {
        FairQueue q = new FairQueue(1 << 20);
        byte[] broadcast = new byte[60];
        java.util.Arrays.fill(broadcast, 0, 6, (byte) 0xFF);
        byte[] runt = new byte[5];
        assertEquals(0, q.add(List.of(broadcast, runt, frame(1, 0, 100))));
        List<byte[]> out = q.next(10);
        assertEquals(3, out.size());
        assertTrue(out.contains(runt) && out.contains(broadcast));
        assertTrue(q.isEmpty());
    }

    @Test
    void aCapacityBelowOneLargestFrameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FairQueue(1000));
    }
}
