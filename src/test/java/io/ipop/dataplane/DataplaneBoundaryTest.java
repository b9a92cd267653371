package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The graph shape {@link Dataplane#run} builds for both data paths, over a read that blocks like a
 * socket or TAP read: a lone element goes through without another one behind it, the bounded buffer
 * stops the reads when the writer is stuck, and nothing is lost or reordered.
 */
class DataplaneBoundaryTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final long WAIT_SECONDS = 10;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** A device: {@link #read} blocks until an element is offered or the device is closed. */
    private static final class Device {
        final BlockingQueue<Integer> incoming = new LinkedBlockingQueue<>();
        final AtomicInteger taken = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        Optional<Integer> read() {
            try {
                while (!closed.get()) {
                    Integer next = incoming.poll(20, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        taken.incrementAndGet();
                        return Optional.of(next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }
    }

    @Test
    void eachLoneElementArrivesWithoutAnotherBehindIt() throws Exception {
        Device device = new Device();
        BlockingQueue<Integer> written = new LinkedBlockingQueue<>();
        // Like the data paths: most reads are forwarded, some (control datagrams) are filtered out.
        CompletionStage<Done> done = Dataplane.run(KIT.system(),
                BlockingSource.of(() -> device::read).map(i -> i).filter(i -> i % 3 != 0).map(i -> i),
                written::add, 8);
        Random random = new Random(42);
        int expected = 0;
        for (int i = 1; i <= 600; i++) {
            device.incoming.add(i);
            if (i % 3 == 0) {
                continue;
            }
            Integer got = written.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(got, "element " + i + " was read but never written while no other element followed it");
            assertEquals(i, got);
            expected++;
            if (random.nextInt(50) == 0) {
                Thread.sleep(30);                        // let the read block in between, as an idle link does
            }
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(400, expected);
    }

    @Test
    void aStuckWriterStopsTheReadsAfterTheBufferAndLosesNothing() throws Exception {
        int batches = 4;
        Device device = new Device();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstWrite = new CountDownLatch(1);
        List<Integer> written = new ArrayList<>();
        CompletionStage<Done> done = Dataplane.run(KIT.system(), BlockingSource.of(() -> device::read),
                i -> {
                    firstWrite.countDown();
                    release.await();
                    synchronized (written) {
                        written.add(i);
                    }
                },
                batches);
        for (int i = 0; i < 1000; i++) {
            device.incoming.add(i);
        }
        assertTrue(firstWrite.await(WAIT_SECONDS, TimeUnit.SECONDS), "the writer never got an element");
        // Reads stop once the buffer is full: one element in the writer, the buffer, and at most one
        // read whose burst waits for room. Without backpressure all 1000 are read in well under this.
        Thread.sleep(500);
        int read = device.taken.get();
        assertTrue(read <= batches + 2, "read " + read + " elements while the writer was stuck; bound " + (batches + 2));
        assertTrue(read >= batches, "read only " + read + " elements: the buffer should fill");

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
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

    private static int sizeOf(List<Integer> list) {
        synchronized (list) {
            return list.size();
        }
    }
}
