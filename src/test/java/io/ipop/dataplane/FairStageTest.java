package io.ipop.dataplane;

import static io.ipop.dataplane.FairQueueTest.dest;
import static io.ipop.dataplane.FairQueueTest.frame;
import static io.ipop.dataplane.FairQueueTest.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The outbound graph with its {@link FairStage}: a stuck send no longer stops the TAP read, the queue drops
 * from the destination with the backlog and stays bounded, the others lose nothing, and once the backlog is
 * gone a lone frame is again written by the reading thread.
 */
class FairStageTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final long WAIT_SECONDS = 10;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void aStuckSendLetsTheReadGoOnAndOnlyTheFloodingDestinationLosesFrames() throws Exception {
        TestDevice<byte[]> device = new TestDevice<>(32);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstWrite = new CountDownLatch(1);
        List<byte[]> written = new ArrayList<>();
        AtomicInteger dropped = new AtomicInteger();
        long capacity = 200_000;
        for (int i = 0; i < 20; i++) {
            device.incoming.add(frame(2, i, 1000));     // 20 kB for destination 2 first
        }
        for (int i = 0; i < 3000; i++) {
            device.incoming.add(frame(1, i, 1000));     // then 3 MB for destination 1
        }
        CompletionStage<Done> done = Dataplane.run(KIT.system(), device.reads(),
                inFlight -> new FairStage(capacity, 32, inFlight, dropped::addAndGet), burst -> burst,
                burst -> {
                    firstWrite.countDown();
                    awaitUninterruptibly(release);
                    synchronized (written) {
                        written.addAll(burst);
                    }
                },
                n -> { }, 4);
        assertTrue(firstWrite.await(WAIT_SECONDS, TimeUnit.SECONDS), "the writer never got a frame");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (device.taken.get() < 3020) {             // without the fair stage the reads stop after a few bursts
            assertTrue(System.nanoTime() < deadline, "read only " + device.taken.get() + " of 3020 frames while the send was stuck");
            Thread.sleep(10);
        }
        release.countDown();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (sizeOf(written) + dropped.get() < 3020) {
            assertTrue(System.nanoTime() < deadline, sizeOf(written) + " written and " + dropped.get() + " dropped of 3020");
            Thread.sleep(10);
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        synchronized (written) {
            assertEquals(3020, written.size() + dropped.get());
            List<Integer> twos = written.stream().filter(f -> dest(f) == 2).map(FairQueueTest::seq).toList();
            assertEquals(20, twos.size(), "destination 2 lost frames to destination 1's flood");
            for (int i = 0; i < 20; i++) {
                assertEquals(i, twos.get(i));
            }
            // held at once: at most the queue's capacity plus the bursts between it and the stuck writer
            assertTrue(dropped.get() >= 3000 - 200 - 4 * 32 * 3, "dropped only " + dropped.get());
            int last = -1;
            for (byte[] f : written) {
                if (dest(f) == 1) {
                    assertTrue(seq(f) > last, "destination 1 out of order");
                    last = seq(f);
                }
            }
        }
    }

    @Test
    void afterABacklogALoneFrameIsWrittenByTheReadingThreadAgain() throws Exception {
        TestDevice<byte[]> device = new TestDevice<>(32);
        BlockingQueue<byte[]> written = new LinkedBlockingQueue<>();
        List<Thread> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 2000; i++) {
            device.incoming.add(frame(1 + i % 3, i, 500));
        }
        CompletionStage<Done> done = Dataplane.run(KIT.system(), device.reads(),
                inFlight -> new FairStage(1 << 20, 32, inFlight, n -> { }), burst -> burst,
                burst -> {
                    writers.add(Thread.currentThread());
                    written.addAll(burst);
                },
                n -> { }, 4);
        for (int i = 0; i < 2000; i++) {
            assertNotNull(written.poll(WAIT_SECONDS, TimeUnit.SECONDS), "frame " + i + " of the backlog never written");
        }
        assertTrue(writers.stream().anyMatch(t -> t != device.reader), "the backlog never went through the boundaries");
        Thread.sleep(200);                              // the writer releases its last burst after handing it over
        for (int i = 0; i < 50; i++) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!device.waiting) {
                assertTrue(System.nanoTime() < deadline, "the reader never came back to wait");
                Thread.sleep(1);
            }
            int before = writers.size();
            device.incoming.add(frame(1, 5000 + i, 100));
            byte[] got = written.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(got, "lone frame " + i + " never written");
            assertEquals(5000 + i, seq(got));
            assertSame(device.reader, writers.get(before), "lone frame " + i + " was handed to another thread");
        }
        device.closed.set(true);
        done.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static int sizeOf(List<byte[]> l) {
        synchronized (l) {
            return l.size();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
