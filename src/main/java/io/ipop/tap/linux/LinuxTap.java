package io.ipop.tap.linux;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.tap.TapDevice;
import io.ipop.tap.TapException;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A Linux TAP interface ({@code IFF_TAP | IFF_NO_PI}: plain Ethernet frames) owned by this process: the kernel
 * deletes the interface when {@link #close()} closes the file descriptor.
 *
 * <p>Reads are serialized with each other, and so are writes; one read and one write may run concurrently.
 * The descriptor is only closed once no read or write is inside a system call, so a recycled descriptor
 * number is never touched.
 */
public final class LinuxTap implements TapDevice {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final int POLL_MILLIS = 100;
    /** Above the largest TAP frame (MTU 65521 plus the 14-byte header), so the kernel never truncates one. */
    private static final int FRAME_CAPACITY = 65536;

    private final LibC.Calls libc;
    private final int fd;
    private final String name;
    private final MacAddress mac;
    private final int mtu;

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Held shared around every system call on {@link #fd}, and exclusively to close it. */
    private final ReentrantReadWriteLock fdInUse = new ReentrantReadWriteLock();
    /** A {@code struct pollfd} for {@link #fd}; guarded, like {@link #readBuffer}, by the monitor of readBuffer. */
    private final Pointer pollFd;
    private final Pointer readBuffer;
    /** Guarded by its own monitor. */
    private final Pointer writeBuffer;

    private LinuxTap(LibC.Calls libc, int fd, String name, MacAddress mac, int mtu) {
        this.libc = libc;
        this.fd = fd;
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.pollFd = Memory.allocateDirect(LibC.RUNTIME, 8);
        pollFd.putInt(0, fd);
        pollFd.putShort(4, LibC.POLLIN);
        this.readBuffer = Memory.allocateDirect(LibC.RUNTIME, FRAME_CAPACITY);
        this.writeBuffer = Memory.allocateDirect(LibC.RUNTIME, FRAME_CAPACITY);
    }

    /**
     * Creates the TAP interface {@code name}, sets its MTU and address, and brings it up.
     *
     * @param name interface name of at most 15 characters; a {@code %d} in it is replaced by the kernel
     * @param mac  the interface's MAC, set before it comes up (stable across restarts, so peers' ARP caches stay right)
     * @throws TapException with an operator-facing reason (missing tun module, missing CAP_NET_ADMIN, name in use...)
     */
    public static LinuxTap open(String name, OverlayAddress address, int mtu, MacAddress mac) {
        Objects.requireNonNull(address, "address");
        IfReq req = new IfReq(name).flags(LibC.IFF_TAP | LibC.IFF_NO_PI);
        LibC.Calls libc = LibC.INSTANCE;
        // Non-blocking: a read(2) after poll never blocks, so close() never waits longer than one poll interval.
        int fd = libc.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        if (fd < 0) {
            throw new TapException(openFailure(Errno.last()));
        }
        try {
            if (libc.ioctl(fd, LibC.TUNSETIFF, req.bytes()) < 0) {
                throw new TapException(createFailure(name, Errno.last()));
            }
            String actualName = req.name();
            MacAddress actualMac;
            try (ControlSocket control = ControlSocket.open(libc, actualName)) {
                control.setMtu(mtu);
                control.setAddress(address);
                control.setHardwareAddress(mac);
                control.bringUp();
                actualMac = control.hardwareAddress();
            }
            return new LinuxTap(libc, fd, actualName, actualMac, mtu);
        } catch (RuntimeException | Error e) {
            libc.close(fd);
            throw e;
        }
    }

    private static String openFailure(Errno err) {
        String message = "cannot open " + CLONE_DEVICE + ": " + err;
        return switch (err.code()) {
            case LibC.ENOENT, LibC.ENODEV, LibC.ENXIO ->
                    message + " — the tun kernel module is missing (modprobe tun) or the device node does not exist";
            case LibC.EPERM, LibC.EACCES -> message + " — ipop-node needs CAP_NET_ADMIN (run as root)";
            default -> message;
        };
    }

    private static String createFailure(String name, Errno err) {
        String message = "cannot create TAP interface " + name + ": " + err;
        return switch (err.code()) {
            case LibC.EBUSY -> message + " — the interface name is already in use by another process (another ipop-node?)";
            case LibC.EPERM, LibC.EACCES -> message + " — ipop-node needs CAP_NET_ADMIN (run as root)";
            case LibC.EINVAL -> message + " — an interface with that name exists and is not a TAP device, or the name is invalid";
            default -> message;
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** A frame longer than {@code buf} is dropped and reported as {@code 0}, like a poll timeout. */
    @Override
    public int read(byte[] buf) throws IOException {
        synchronized (readBuffer) {
            Lock shared = fdInUse.readLock();
            shared.lock();
            try {
                if (closed.get()) {
                    return -1;
                }
                int ready = libc.poll(pollFd, 1, POLL_MILLIS);
                if (ready < 0) {
                    return retryOrThrow(Errno.last(), "poll");
                }
                if (closed.get()) {
                    return -1;
                }
                if (ready == 0) {
                    return 0;
                }
                long n = libc.read(fd, readBuffer, FRAME_CAPACITY);
                if (n < 0) {
                    return retryOrThrow(Errno.last(), "read from");
                }
                if (n > buf.length) {
                    return 0;
                }
                readBuffer.get(0, buf, 0, (int) n);
                return (int) n;
            } finally {
                shared.unlock();
            }
        }
    }

    private int retryOrThrow(Errno err, String action) throws IOException {
        if (err.isTransient()) {
            return 0;
        }
        String hint = err.code() == LibC.EBADFD ? " — the interface was deleted" : "";
        throw new IOException("cannot " + action + " TAP device " + name + ": " + err + hint);
    }

    @Override
    public void write(byte[] buf, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (length > FRAME_CAPACITY) {
            throw new IOException("frame of " + length + " bytes is too long for TAP device " + name);
        }
        synchronized (writeBuffer) {
            Lock shared = fdInUse.readLock();
            shared.lock();
            try {
                if (closed.get()) {
                    throw new IOException("TAP device " + name + " is closed");
                }
                writeBuffer.put(0, buf, offset, length);
                long n = libc.write(fd, writeBuffer, length);
                if (n < 0) {
                    throw new IOException("cannot write a " + length + "-byte frame to TAP device " + name + ": " + Errno.last());
                }
                if (n != length) {
                    throw new IOException("short write to TAP device " + name + ": " + n + " of " + length + " bytes");
                }
            } finally {
                shared.unlock();
            }
        }
    }

    /** Idempotent; waits at most about one poll interval for a concurrent read to leave the kernel. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Lock exclusive = fdInUse.writeLock();
        exclusive.lock();
        try {
            libc.close(fd);
        } finally {
            exclusive.unlock();
        }
    }

    @Override
    public String toString() {
        return "LinuxTap[" + name + ", " + mac + ", mtu " + mtu + "]";
    }
}
