package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The graph {@link Dataplane#run} builds for both data paths, over a read that blocks like a socket or
 * TAP read: a lone element is written at once by the reading thread, a backlog goes through the
 * boundaries, the bounded buffers stop the reads when the writer is stuck, and nothing is lost or
 * reordered.
 */
class DataplaneBoundaryTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final long WAIT_SECONDS = 10;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** What the write side saw: elements in order, and the threads that wrote them. */
    private static final class Written {
        final BlockingQueue<Integer> elements = new LinkedBlockingQueue<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        void write(List<Integer> burst) {
            threads.add(Thread.currentThread());
            elements.addAll(burst);
        }
    }

    /** Drops multiples of 3, as the processing drops control datagrams (they go elsewhere). */
    private static List<Integer> process(List<Integer> burst) {
        return burst.stream().filter(i -> i % 3 != 0).toList();
    }

    @Test
    void eachLoneElementIsWrittenByTheReadingThreadWithoutAnotherBehindIt() throws Exception {
        TestDevice<Integer> device = new TestDevice<Integer>(1);
        Written written = new Written();
        AtomicInteger entered = new AtomicInteger();
        CompletionStage<Done> done = Dataplane.run(KIT.system(), device.reads(), null, DataplaneBoundaryTest::process,
                written::write, entered::addAndGet, 8);
        Random random = new Random(42);
        for (int i = 1; i <= 600; i++) {
            device.offerWhenIdle(i, i - 1);
            if (i % 3 == 0) {
                continue;
            }
            Integer got = written.elements.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(got, "element " + i + " was read but never written while no other element followed it");
            assertEquals(i, got);
            if (random.nextInt(50) == 0) {
                Thread.sleep(30);
            }
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(400, entered.get());
        // Each element was offered while the reader waited, after the previous one was written: the
        // reads waited and nothing was in flight, so every write ran on the reading thread (no hand-off).
        assertEquals(400, written.threads.size());
        for (Thread t : written.threads) {
            assertSame(device.reader, t, "a lone element was handed to another thread");
        }
    }

    @Test
    void aBacklogGoesThroughTheBoundariesInOrder() throws Exception {
        TestDevice<Integer> device = new TestDevice<Integer>(1);
        Written written = new Written();
        for (int i = 1; i <= 3000; i++) {
            device.incoming.add(i);                     // waiting before the first read: not idle
        }
        CompletionStage<Done> done = Dataplane.run(KIT.system(), device.reads(), null, DataplaneBoundaryTest::process,
                written::write, n -> { }, 4);
        for (int i = 1; i <= 3000; i++) {
            if (i % 3 == 0) {
                continue;
            }
            assertEquals(i, written.elements.poll(WAIT_SECONDS, TimeUnit.SECONDS), "order at " + i);
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(written.threads.stream().anyMatch(t -> t != device.reader), "a backlog was never handed off");
    }

    @Test
    void aStuckWriterStopsTheReadsAfterTheBufferAndLosesNothing() throws Exception {
        int batches = 4;
        TestDevice<Integer> device = new TestDevice<Integer>(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstWrite = new CountDownLatch(1);
        List<Integer> written = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            device.incoming.add(i);                     // a backlog: it goes through the boundaries
        }
        CompletionStage<Done> done = Dataplane.run(KIT.system(), device.reads(), null, burst -> burst,
                burst -> {
                    firstWrite.countDown();
                    awaitUninterruptibly(release);
                    synchronized (written) {
                        written.addAll(burst);
                    }
                },
                n -> { }, batches);
        assertTrue(firstWrite.await(WAIT_SECONDS, TimeUnit.SECONDS), "the writer never got an element");
        // The buffers fill: wait until the reads got at least one buffer's worth past the writer.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (device.taken.get() < batches + 1) {
            assertTrue(System.nanoTime() < deadline, "read only " + device.taken.get() + " elements: the buffer should fill");
            Thread.sleep(10);
        }
        // Then reads stop once both boundaries are full: one burst in the writer, a full buffer at each
        // boundary, one in processing and one read waiting for room. Without backpressure all 1000 are
        // read in well under this.
        Thread.sleep(500);
        int read = device.taken.get();
        int bound = 2 * batches + 3;
        assertTrue(read <= bound, "read " + read + " elements while the writer was stuck; bound " + bound);

        release.countDown();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (device.taken.get() < 1000 || sizeOf(written) < 1000) {
            assertTrue(System.nanoTime() < deadline, "only " + sizeOf(written) + " of 1000 written after the release");
            Thread.sleep(10);
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        synchronized (written) {
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, written.get(i), "order at " + i);
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int sizeOf(List<Integer> list) {
        synchronized (list) {
            return list.size();
        }
    }
}
