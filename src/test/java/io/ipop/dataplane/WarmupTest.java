package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ipop.frame.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
    void itStopsBeforeTheNextBurstOnceRealTrafficIsEnough() {
        AtomicInteger asked = new AtomicInteger();
        Warmup.Result r = Warmup.run(OWN, 1400, 100_000, 32, () -> asked.incrementAndGet() > 2);
        assertEquals(new Warmup.Result(64, 64), r);                 // two bursts, then the third question said stop
    }

    /**
     * The warm-up thread runs at its normal priority while the node has no traffic (so it is done before the first
     * link comes up, if it can be), and at nice 19 once real frames flow, so a link's first traffic gets the CPU
     * before it (docs/performance.md, "Warm start"); read from the kernel's own record of the thread.
     */
    @Test
    void theWarmUpThreadYieldsOnceRealTrafficFlows() throws Exception {
        AtomicLong real = new AtomicLong();
        Warmup.startInBackground(new DataplaneSettings(256, 256, 32, 1_000_000, DataplaneSettings.DEFAULT_FAIR_QUEUE_BYTES),
                OWN, 1400, real::get);
        try {
            yieldsThenStops(real);
        } finally {
            real.set(Warmup.REAL_ENOUGH);                     // whatever happened, the thread stops
        }
    }

    private static void yieldsThenStops(AtomicLong real) throws Exception {
        Integer nice = null;
        for (int i = 0; i < 200 && nice == null; i++) {     // bounded: 10 s
            nice = niceOfThread("ipop-warm-up");
            Thread.sleep(50);
        }
        assertNotNull(nice, "no thread ipop-warm-up seen in /proc/self/task");
        Thread.sleep(200);
        assertEquals(BackgroundPriority.ofCallingThread(), niceOfThread("ipop-warm-up"), "lowered before any traffic");
        real.set(1);                                          // the first real frame
        for (int i = 0; i < 200; i++) {
            nice = niceOfThread("ipop-warm-up");
            if (nice != null && nice == BackgroundPriority.LOWEST) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(BackgroundPriority.LOWEST, nice);
        real.set(Warmup.REAL_ENOUGH);                         // enough real traffic: it stops
        for (int i = 0; i < 200 && niceOfThread("ipop-warm-up") != null; i++) {
            Thread.sleep(50);
        }
        assertNull(niceOfThread("ipop-warm-up"), "the warm-up went on after REAL_ENOUGH real frames");
    }

    @Test
    void loweringAThreadLeavesTheOthersAlone() throws Exception {
        int before = BackgroundPriority.ofCallingThread();
        AtomicInteger inThread = new AtomicInteger(Integer.MIN_VALUE);
        Thread t = new Thread(() -> {
            if (BackgroundPriority.lowerCallingThread()) {
                inThread.set(BackgroundPriority.ofCallingThread());
            }
        });
        t.start();
        t.join(10_000);
        assertEquals(BackgroundPriority.LOWEST, inThread.get());
        assertEquals(before, BackgroundPriority.ofCallingThread());
        assertNotEquals(BackgroundPriority.LOWEST, before);
    }

    /** The nice value (field 19 of /proc/self/task/TID/stat) of the first thread named {@code name}, or null. */
    private static Integer niceOfThread(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).strip().equals(name)) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    List<String> fields = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
                    return Integer.parseInt(fields.get(16));          // field 19; the list starts at field 3
                } catch (IOException gone) {
                    // the thread ended while we looked
                }
            }
        }
        return null;
    }
}
