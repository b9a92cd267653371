package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.NoLogging$;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

class DueTimeSchedulerTest {
    private final java.util.concurrent.ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ExecutionContext ec = ExecutionContext.fromExecutorService(pool);
    private final DueTimeScheduler scheduler =
            new DueTimeScheduler(ConfigFactory.empty(), NoLogging$.MODULE$, Executors.defaultThreadFactory());

    @AfterEach
    void stop() {
        scheduler.close();
        pool.shutdownNow();
    }

    private static FiniteDuration ms(long n) {
        return FiniteDuration.create(n, TimeUnit.MILLISECONDS);
    }

    @Test
    void aOneShotTimerRunsOnceNoEarlierThanItsDelay() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        long t0 = System.nanoTime();
        long[] at = new long[1];
        Cancellable c = scheduler.scheduleOnce(ms(80), () -> {
            at[0] = System.nanoTime();
            runs.incrementAndGet();
            ran.countDown();
        }, ec);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertTrue(at[0] - t0 >= TimeUnit.MILLISECONDS.toNanos(80), "ran after " + (at[0] - t0) / 1_000_000 + " ms");
        Thread.sleep(150);
        assertEquals(1, runs.get());
        assertFalse(c.cancel(), "a timer that ran can no longer be cancelled");
        assertFalse(c.isCancelled());
    }

    @Test
    void aCancelledTimerNeverRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Cancellable c = scheduler.scheduleOnce(ms(50), runs::incrementAndGet, ec);
        assertTrue(c.cancel());
        assertFalse(c.cancel(), "cancelled once");
        assertTrue(c.isCancelled());
        Thread.sleep(200);
        assertEquals(0, runs.get());
    }

    @Test
    void aPeriodicTimerKeepsRunningWhenItsTaskThrowsUntilCancelled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch five = new CountDownLatch(5);
        ExecutionContext onTimerThread = ExecutionContext.fromExecutor(Runnable::run);   // the failure reaches the timer
        Cancellable c = scheduler.scheduleAtFixedRate(Duration.ZERO, Duration.ofMillis(10), () -> {
            runs.incrementAndGet();
            five.countDown();
            throw new IllegalStateException("a failing task");
        }, onTimerThread);
        assertTrue(five.await(5, TimeUnit.SECONDS), "runs: " + runs.get());
        assertTrue(c.cancel());
        Thread.sleep(50);                                   // one may have been handed to the pool already
        int after = runs.get();
        Thread.sleep(150);
        assertEquals(after, runs.get(), "no run after the cancel");
    }

    @Test
    void closeRunsThePendingRunOnCloseTasksAndRefusesNewTimers() {
        AtomicInteger onClose = new AtomicInteger();
        AtomicInteger plain = new AtomicInteger();
        scheduler.scheduleOnce(ms(60_000), (Scheduler.TaskRunOnClose) onClose::incrementAndGet, ec);
        Cancellable cancelled = scheduler.scheduleOnce(ms(60_000), (Scheduler.TaskRunOnClose) onClose::incrementAndGet, ec);
        cancelled.cancel();
        scheduler.scheduleOnce(ms(60_000), plain::incrementAndGet, ec);
        scheduler.close();
        assertEquals(1, onClose.get(), "the pending run-on-close task ran once, the cancelled one not");
        assertEquals(0, plain.get());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> scheduler.scheduleOnce(ms(1), plain::incrementAndGet, ec));
        assertInstanceOf(SchedulerException.class, refused.getCause());
    }

    @Test
    void anActorSystemRunsItsTimersOnIt() throws Exception {
        CountDownLatch ticks = new CountDownLatch(3);
        Behavior<String> ticking = Behaviors.withTimers(timers -> {
            timers.startTimerAtFixedRate("tick", Duration.ofMillis(20));
            return Behaviors.receiveMessage(m -> {
                ticks.countDown();
                return Behaviors.same();
            });
        });
        ActorSystem<String> system = ActorSystem.create(ticking, "due-time", ConfigFactory.parseString(
                "pekko.scheduler.implementation = \"io.ipop.node.DueTimeScheduler\"").withFallback(ConfigFactory.load()));
        try {
            assertInstanceOf(DueTimeScheduler.class, system.classicSystem().scheduler());
            assertTrue(ticks.await(5, TimeUnit.SECONDS));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
