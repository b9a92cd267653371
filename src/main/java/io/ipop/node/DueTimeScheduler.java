package io.ipop.node;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's scheduler for ipop-node's actor systems ({@code pekko.scheduler.implementation}, ipop-pekko.conf): one
 * thread that sleeps until the next timer is due, instead of Pekko's default, whose thread wakes every
 * {@code tick-duration} whether a timer is due or not. An idle node with cluster discovery has two actor systems
 * and a few timers a second in all (cluster gossip, heartbeats, link keepalives): the default's 2 × 30 wake-ups a
 * second at 33 ms were a quarter of its CPU at rest (docs/performance.md, "Where an idle node's CPU goes").
 *
 * <p>Same contract as the default: a task runs on the given execution context at or after its delay (here to
 * the millisecond, not rounded up to a tick); a task that throws is logged and a periodic one keeps running;
 * after {@link #close} nothing more is accepted ({@link IllegalStateException}) and the pending tasks that are
 * {@link Scheduler.TaskRunOnClose} run once, on the closing thread, as the default does.
 */
public final class DueTimeScheduler implements Scheduler, Closeable {
    private final ScheduledThreadPoolExecutor timer;
    private final LoggingAdapter log;
    private final Set<Task> runOnClose = ConcurrentHashMap.newKeySet();

    /** The constructor Pekko calls reflectively ({@code pekko.scheduler.implementation}). */
    public DueTimeScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
        this.log = log;
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
        timer.setRemoveOnCancelPolicy(true);               // cancelled timers (asks answered) leave the queue at once
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable scheduleOnce(FiniteDuration delay, Runnable task, ExecutionContext executor) {
        Task t = track(new Task(task, executor, false));
        try {
            t.future = timer.schedule(t, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            runOnClose.remove(t);
            throw refused();
        }
        return t;
    }

    /** Fixed rate, as Pekko's {@code schedule}/{@code scheduleAtFixedRate}: the next run is due one interval after the last was due. */
    @Override
    public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable task, ExecutionContext executor) {
        long every = interval.toNanos();
        if (every <= 0) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        Task t = track(new Task(task, executor, true));
        try {
            t.future = timer.scheduleAtFixedRate(t, Math.max(0, initialDelay.toNanos()), every, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            runOnClose.remove(t);
            throw refused();
        }
        return t;
    }

    /** Timers are kept to the nanosecond and fire to the millisecond. */
    @Override
    public double maxFrequency() {
        return 1000.0;
    }

    /** Stops the thread; pending {@link Scheduler.TaskRunOnClose} tasks run once here, the others are dropped. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Task t : runOnClose) {
            if (t.state.compareAndSet(PENDING, RAN)) {
                try {
                    t.task.run();
                } catch (RuntimeException e) {
                    log.error(e, "exception while running a timer task at scheduler close");
                }
            }
        }
        runOnClose.clear();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As Pekko's default: an {@link IllegalStateException} (which the dispatchers' own shutdown expects) caused by a {@link SchedulerException}. */
    private static IllegalStateException refused() {
        SchedulerException cause = SchedulerException.apply("cannot enqueue after timer shutdown");
        return new IllegalStateException(cause.getMessage(), cause);
    }

    private Task track(Task t) {
        if (t.task instanceof Scheduler.TaskRunOnClose) {
            runOnClose.add(t);
        }
        return t;
    }

    private static final int PENDING = 0;
    private static final int RAN = 1;
    private static final int CANCELLED = 2;

    /** A timer: hands its task to the execution context when due; a one-shot one runs or is cancelled, once. */
    private final class Task implements Runnable, Cancellable {
        final Runnable task;
        final AtomicInteger state = new AtomicInteger(PENDING);
        private final ExecutionContext executor;
        private final boolean periodic;
        volatile ScheduledFuture<?> future;

        Task(Runnable task, ExecutionContext executor, boolean periodic) {
            this.task = task;
            this.executor = executor;
            this.periodic = periodic;
        }

        @Override
        public void run() {
            if (periodic ? state.get() != PENDING : !state.compareAndSet(PENDING, RAN)) {
                return;
            }
            if (!periodic) {
                runOnClose.remove(this);
            }
            try {
                executor.execute(task);
            } catch (RuntimeException e) {                  // a stopped dispatcher, or the task's own failure
                log.error(e, "exception while running a timer task");
            }
        }

        @Override
        public boolean cancel() {
            if (!state.compareAndSet(PENDING, CANCELLED)) {
                return false;
            }
            runOnClose.remove(this);
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }
    }
}
