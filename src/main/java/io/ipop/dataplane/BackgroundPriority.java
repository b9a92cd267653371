package io.ipop.dataplane;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's scheduling priority to the lowest (nice 19), for work that should only use a CPU
 * nothing else wants: the data path's warm-up, which must not take the CPU from the first real traffic of a
 * link that came up while it still runs (docs/performance.md, "Warm start").
 *
 * <p>On Linux the nice value belongs to a thread, and {@code setpriority(PRIO_PROCESS, 0, n)} sets the calling
 * thread's only (setpriority(2), "BUGS"); it never needs a privilege to lower a priority.
 */
final class BackgroundPriority {
    /** The lowest priority Linux has. */
    static final int LOWEST = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);

    /** The binding; public only because JNR implements it in a class loader of its own. */
    public interface Calls {
        @SaveError
        int setpriority(int which, int who, int prio);

        @SaveError
        int getpriority(int which, int who);
    }

    private BackgroundPriority() {
    }

    /**
     * Sets the calling thread's nice value to {@link #LOWEST}. Returns false (and logs why at debug) where that
     * cannot be done (no libc binding, a refusal): the work then runs at the priority it had, which is correct,
     * only less polite.
     */
    static boolean lowerCallingThread() {
        try {
            Calls libc = LibraryLoader.create(Calls.class).load("c");
            if (libc.setpriority(PRIO_PROCESS, 0, LOWEST) != 0) {
                log.debug("setpriority({}) refused for thread {}", LOWEST, Thread.currentThread().getName());
                return false;
            }
            return true;
        } catch (LinkageError | RuntimeException e) {
            log.debug("no setpriority here; thread {} keeps its priority", Thread.currentThread().getName(), e);
            return false;
        }
    }

    /**
     * The calling thread's nice value, or {@code Integer.MIN_VALUE} if it cannot be read (tests). getpriority
     * returns the nice value itself on Linux's libc (-20..19), so -1 is a value, not only an error.
     */
    static int ofCallingThread() {
        try {
            Calls libc = LibraryLoader.create(Calls.class).load("c");
            return libc.getpriority(PRIO_PROCESS, 0);
        } catch (LinkageError | RuntimeException e) {
            return Integer.MIN_VALUE;
        }
    }
}
