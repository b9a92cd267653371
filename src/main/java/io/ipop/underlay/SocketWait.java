package io.ipop.underlay;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The receiving thread's wait for the underlay socket: poll(2) on the socket's descriptor and on an eventfd(2)
 * that {@link #wake} signals, as the TAP reader waits, instead of an NIO {@code Selector}: a lone datagram then
 * wakes one system call and one JNR stub, not the selector's epoll, key sets and locks (issue 19, item 4).
 * Nothing but a datagram or a wake-up ends a wait; the timeout is a safety net, so an idle node does not wake.
 *
 * <p>The descriptor is reached like {@link UdpOffload}'s (the JDK's {@code sun.nio.ch.SelChImpl}); without it, or
 * without eventfd(2), {@link #open} returns null and the underlay waits in its selector.
 *
 * <p>Thread-safety: {@link #await} from the receiving thread only; {@link #wake} and {@link #close} from any thread.
 * No system call touches the descriptors once {@link #close} has returned (call it before the channel closes).
 */
final class SocketWait {
    private static final short POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    /** The binding; public only because JNR implements it in a class loader of its own. */
    public interface Calls {
        @SaveError
        int poll(Pointer fds, long nfds, int timeoutMillis);

        @SaveError
        int eventfd(int initval, int flags);

        @SaveError
        @ssize_t long read(int fd, Pointer buf, @size_t long count);

        @SaveError
        @ssize_t long write(int fd, Pointer buf, @size_t long count);

        @SaveError
        int close(int fd);

        @IgnoreError
        String strerror(int errnum);
    }

    private final Calls libc;
    private final Runtime runtime;
    private final int wakeFd;
    /** Two {@code struct pollfd}s: the socket and {@link #wakeFd}; receiving thread only. */
    private final Pointer pollFds;
    /** The eventfd's counter, read to reset it; receiving thread only. */
    private final Pointer drained;
    /** Held shared around every system call, exclusively by {@link #close}: never a recycled descriptor. */
    private final ReentrantReadWriteLock fdInUse = new ReentrantReadWriteLock();
    /** Set by {@link #close} before it wakes the receiver: a wait that begins after the wake-up does not block. */
    private volatile boolean closing;
    /** The eventfd is closed; guarded by {@link #fdInUse}. */
    private boolean closed;

    private SocketWait(Calls libc, int socketFd, int wakeFd) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.wakeFd = wakeFd;
        this.pollFds = Memory.allocateDirect(runtime, 16);
        pollFds.putInt(0, socketFd);
        pollFds.putShort(4, POLLIN);
        pollFds.putInt(8, wakeFd);
        pollFds.putShort(12, POLLIN);
        this.drained = Memory.allocateDirect(runtime, 8);
    }

    /** The wait for {@code channel}, or null if its descriptor cannot be reached or no eventfd can be made. */
    static SocketWait open(DatagramChannel channel) {
        try {
            Method fdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            int fd = (int) fdVal.invoke(channel);
            Calls libc = LibraryLoader.create(Calls.class).load("c");
            int wakeFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            return wakeFd < 0 ? null : new SocketWait(libc, fd, wakeFd);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Blocks until the socket is readable, {@link #wake} was called, or {@code millis} passed (whichever first; a
     * datagram already waiting returns at once).
     *
     * @return false once closed
     */
    boolean await(int millis) throws IOException {
        Lock shared = fdInUse.readLock();
        shared.lock();
        try {
            if (closing) {
                return false;
            }
            if (libc.poll(pollFds, 2, millis) < 0) {
                int errno = runtime.getLastError();
                if (errno != EINTR) {
                    throw new IOException("poll: " + libc.strerror(errno) + " (errno " + errno + ")");
                }
            } else if ((pollFds.getShort(14) & POLLIN) != 0) {
                libc.read(wakeFd, drained, 8);                // reset the counter: the next wait blocks again
            }
            return !closing;
        } finally {
            shared.unlock();
        }
    }

    /** Ends the current or the next {@link #await} at once. */
    void wake() {
        Lock shared = fdInUse.readLock();
        shared.lock();
        try {
            if (!closed) {
                signal();
            }
        } finally {
            shared.unlock();
        }
    }

    /** Idempotent: wakes the receiving thread, waits until no call is inside the kernel, closes the eventfd. */
    void close() {
        closing = true;
        wake();
        Lock exclusive = fdInUse.writeLock();
        exclusive.lock();
        try {
            if (!closed) {
                closed = true;
                libc.close(wakeFd);
            }
        } finally {
            exclusive.unlock();
        }
    }

    private void signal() {
        Pointer one = Memory.allocateDirect(runtime, 8);
        one.putLong(0, 1);
        libc.write(wakeFd, one, 8);
    }
}
