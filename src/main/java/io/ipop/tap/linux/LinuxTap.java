package io.ipop.tap.linux;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.tap.TapDevice;
import io.ipop.tap.TapException;
import io.ipop.tap.TapFrame;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    /**
     * A reader waits in poll(2) on the device and on {@link #wakeFd}, which {@link #close} signals, so nothing but
     * a frame or the close wakes an idle reader; the timeout is only a safety net (a 100 ms timeout cost an idle
     * node 10 wake-ups a second, docs/performance.md).
     */
    private static final int POLL_MILLIS = 5000;
    /** Above the largest TAP frame (a 64 KB super-frame plus headers), so the kernel never truncates one. */
    private static final int FRAME_CAPACITY = 65536 + 2048;
    private static final Logger log = LoggerFactory.getLogger(LinuxTap.class);

    private final LibC.Calls libc;
    private final int fd;
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    /** With offloads, every read and write carries a {@link VnetHeader} and reads may be TCP super-frames. */
    private final boolean offload;
    /** Frames of a segmented super-frame not handed out yet; guarded by the monitor of readBuffer. */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** A copy of what read(2) returned, for the segmenter; guarded by the monitor of readBuffer. */
    private final byte[] scratch;
    private final AtomicLong unsupported = new AtomicLong();

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Held shared around every system call on {@link #fd}, and exclusively to close it. */
    private final ReentrantReadWriteLock fdInUse = new ReentrantReadWriteLock();
    /** Two {@code struct pollfd}s, {@link #fd} and {@link #wakeFd}; guarded, like {@link #readBuffer}, by the monitor of readBuffer. */
    private final Pointer pollFd;
    /** An eventfd(2) that {@link #close} writes to, to wake a reader out of poll(2). */
    private final int wakeFd;
    private final Pointer readBuffer;
    /** Guarded by its own monitor, like writeHeader. */
    private final Pointer writeBuffer;
    private final byte[] writeHeader = new byte[VnetHeader.LENGTH];
    /** Joins TCP segments of a burst into one write; guarded, like writeBuffer, by writeBuffer's monitor. */
    private final Coalescer coalescer = new Coalescer(FRAME_CAPACITY);

    private LinuxTap(LibC.Calls libc, int fd, int wakeFd, String name, MacAddress mac, int mtu, boolean offload) {
        this.libc = libc;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.offload = offload;
        this.scratch = offload ? new byte[FRAME_CAPACITY] : null;
        this.pollFd = Memory.allocateDirect(LibC.RUNTIME, 16);
        pollFd.putInt(0, fd);
        pollFd.putShort(4, LibC.POLLIN);
        pollFd.putInt(8, wakeFd);
        pollFd.putShort(12, LibC.POLLIN);
        this.readBuffer = Memory.allocateDirect(LibC.RUNTIME, FRAME_CAPACITY);
        this.writeBuffer = Memory.allocateDirect(LibC.RUNTIME, FRAME_CAPACITY);
    }

    /**
     * Creates the TAP interface {@code name}, sets its MTU and address, and brings it up.
     *
     * @param name interface name of at most 15 characters; a {@code %d} in it is replaced by the kernel
     * @param mac  the interface's MAC, set before it comes up (stable across restarts, so peers' ARP caches stay right)
     * @param offload let the kernel hand over TCP super-frames (TSO) and unfinished checksums, which this
     *                class segments and completes itself ({@link Segmenter}); falls back to none if refused
     * @param txQueueLength the frames the kernel queues for this node to read before it drops them
     * @throws TapException with an operator-facing reason (missing tun module, missing CAP_NET_ADMIN, name in use...)
     */
    public static LinuxTap open(String name, OverlayAddress address, int mtu, MacAddress mac, boolean offload,
                                int txQueueLength) {
        Objects.requireNonNull(address, "address");
        IfReq req = new IfReq(name).flags(LibC.IFF_TAP | LibC.IFF_NO_PI | (offload ? LibC.IFF_VNET_HDR : 0));
        LibC.Calls libc = LibC.INSTANCE;
        // Non-blocking: a read(2) after poll never blocks, so close() never waits for a read in the kernel.
        int fd = libc.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        if (fd < 0) {
            throw new TapException(openFailure(Errno.last()));
        }
        int wakeFd = libc.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (wakeFd < 0) {
            Errno err = Errno.last();
            libc.close(fd);
            throw new TapException("cannot create the eventfd that wakes the TAP reader: " + err);
        }
        try {
            if (libc.ioctl(fd, LibC.TUNSETIFF, req.bytes()) < 0) {
                throw new TapException(createFailure(name, Errno.last()));
            }
            String actualName = req.name();
            if (offload && libc.ioctl(fd, LibC.TUNSETOFFLOAD,
                    (long) (LibC.TUN_F_CSUM | LibC.TUN_F_TSO4 | LibC.TUN_F_TSO6)) < 0) {
                log.warn("TAP {}: the kernel refused TCP segmentation offload ({}); frames come one by one",
                        actualName, Errno.last());
            }
            MacAddress actualMac;
            try (ControlSocket control = ControlSocket.open(libc, actualName)) {
                control.setMtu(mtu);
                control.setTxQueueLength(txQueueLength);
                control.setAddress(address);
                control.setHardwareAddress(mac);
                control.bringUp();
                actualMac = control.hardwareAddress();
            }
            return new LinuxTap(libc, fd, wakeFd, actualName, actualMac, mtu, offload);
        } catch (RuntimeException | Error e) {
            libc.close(fd);
            libc.close(wakeFd);
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

    /**
     * Tries a read first and polls only when nothing is waiting, so a busy device costs one system
     * call per frame. A frame longer than {@code buf} is dropped and reported as {@code 0}.
     */
    @Override
    public int read(byte[] buf) throws IOException {
        byte[] f = take(buf);
        return f == CLOSED ? -1 : copyOut(f, buf);
    }

    @Override
    public int readNow(byte[] buf) throws IOException {
        byte[] f = takeNow(buf);
        return f == CLOSED ? -1 : copyOut(f, buf);
    }

    /** Like {@link #read}, handing over the frame itself: one copy out of the kernel's buffer, none after. */
    @Override
    public byte[] take(byte[] scratch) throws IOException {
        synchronized (readBuffer) {
            Lock shared = fdInUse.readLock();
            shared.lock();
            try {
                if (closed.get()) {
                    return CLOSED;
                }
                byte[] f = pending.isEmpty() ? takeOnce() : pending.poll();
                if (f != null) {
                    return f;
                }
                int ready = libc.poll(pollFd, 2, POLL_MILLIS);
                if (ready < 0) {
                    retryOrThrow(Errno.last(), "poll");
                    return null;
                }
                if (closed.get()) {
                    return CLOSED;
                }
                return ready == 0 ? null : takeOnce();
            } finally {
                shared.unlock();
            }
        }
    }

    @Override
    public byte[] takeNow(byte[] scratch) throws IOException {
        synchronized (readBuffer) {
            Lock shared = fdInUse.readLock();
            shared.lock();
            try {
                if (closed.get()) {
                    return CLOSED;
                }
                return pending.isEmpty() ? takeOnce() : pending.poll();
            } finally {
                shared.unlock();
            }
        }
    }

    /** One read(2): the frame in an array of its exact size, or null if none was waiting or it was dropped. */
    private byte[] takeOnce() throws IOException {
        long n = libc.read(fd, readBuffer, FRAME_CAPACITY);
        if (n < 0) {
            retryOrThrow(Errno.last(), "read from");
            return null;
        }
        if (!offload) {
            byte[] f = new byte[(int) n];
            readBuffer.get(0, f, 0, f.length);
            return f;
        }
        return takeOffloaded((int) n);
    }

    /**
     * Strips the vnet header: a plain frame comes back as read (its checksum completed if the kernel left that
     * to us); a TCP super-frame is cut into segments, the first comes back and the rest wait in {@link #pending}.
     * Null if the frame was dropped.
     */
    private byte[] takeOffloaded(int n) {
        if (n <= VnetHeader.LENGTH) {
            return null;
        }
        int frame = n - VnetHeader.LENGTH;
        readBuffer.get(0, scratch, 0, VnetHeader.LENGTH);
        VnetHeader h = VnetHeader.read(scratch);
        if (h.isGso()) {
            readBuffer.get(VnetHeader.LENGTH, scratch, VnetHeader.LENGTH, frame);
            if (Segmenter.emit(scratch, VnetHeader.LENGTH, frame, h, pending::add)) {
                return pending.poll();
            }
        } else {
            byte[] f = new byte[frame];
            readBuffer.get(VnetHeader.LENGTH, f, 0, frame);
            if (Segmenter.completeChecksum(f, h)) {
                return f;
            }
        }
        long count = unsupported.incrementAndGet();
        if (count == 1 || count % 1000 == 0) {
            log.warn("TAP {}: dropped {} frame(s) whose offload cannot be completed here (last: {})", name, count, h);
        }
        return null;
    }

    /** Copies a taken frame into {@code buf}: its length, or 0 if there was none or it does not fit (dropped). */
    private static int copyOut(byte[] f, byte[] buf) {
        if (f == null || f.length > buf.length) {
            return 0;
        }
        System.arraycopy(f, 0, buf, 0, f.length);
        return f.length;
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
        synchronized (writeBuffer) {
            writeLocked(buf, offset, length);
        }
    }

    /**
     * With offloads, consecutive segments of one TCP flow in the burst go to the kernel as one
     * super-frame ({@link Coalescer}), one system call for all of them; other frames one by one.
     */
    @Override
    public Burst write(List<? extends TapFrame> frames) {
        if (!offload || frames.size() < 2) {
            return TapDevice.super.write(frames);
        }
        int writes = 0;
        int failed = 0;
        synchronized (writeBuffer) {
            for (TapFrame f : frames) {
                if (coalescer.append(f.buf(), f.offset(), f.length())) {
                    continue;
                }
                if (!coalescer.isEmpty()) {
                    writes++;
                    failed += flushRun();
                }
                if (!coalescer.start(f.buf(), f.offset(), f.length())) {
                    writes++;
                    try {
                        writeLocked(f.buf(), f.offset(), f.length());
                    } catch (IOException | IndexOutOfBoundsException e) {
                        failed++;
                    }
                }
            }
            if (!coalescer.isEmpty()) {
                writes++;
                failed += flushRun();
            }
        }
        return new Burst(writes, failed);
    }

    /** Writes the coalescer's open run; returns the number of frames lost if the write failed. */
    private int flushRun() {
        int segments = coalescer.segments();
        int n = coalescer.finish();
        try {
            writeRaw(coalescer.buffer(), 0, n, n - VnetHeader.LENGTH);
            return 0;
        } catch (IOException e) {
            return segments;
        }
    }

    /**
     * One frame, behind a vnet header that vouches for nothing when offloads are on: the kernel checks its
     * checksums as it would a NIC's frame the NIC had not verified. Holds writeBuffer.
     */
    private void writeLocked(byte[] buf, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (length > FRAME_CAPACITY - VnetHeader.LENGTH) {
            throw new IOException("frame of " + length + " bytes is too long for TAP device " + name);
        }
        if (!offload) {
            writeRaw(buf, offset, length, length);
            return;
        }
        // complete (the sending node computed them) but not verified here: only the Coalescer verifies,
        // and a frame it refused may be the one whose checksum is wrong
        VnetHeader.writeUnverified(writeHeader, 0);
        writeBuffer.put(0, writeHeader, 0, VnetHeader.LENGTH);
        writeBuffer.put(VnetHeader.LENGTH, buf, offset, length);
        writeFromBuffer(VnetHeader.LENGTH + length, length);
    }

    /** {@code b[offset, offset + n)} as it is (a vnet header, if any, included); {@code frame}: the frame's bytes in it. */
    private void writeRaw(byte[] b, int offset, int n, int frame) throws IOException {
        writeBuffer.put(0, b, offset, n);
        writeFromBuffer(n, frame);
    }

    /** write(2) of the first {@code n} bytes of writeBuffer, of which {@code frame} are the frame. Holds writeBuffer. */
    private void writeFromBuffer(int n, int frame) throws IOException {
        Lock shared = fdInUse.readLock();
        shared.lock();
        try {
            if (closed.get()) {
                throw new IOException("TAP device " + name + " is closed");
            }
            long written = libc.write(fd, writeBuffer, n);
            if (written < 0) {
                throw new IOException("cannot write a " + frame + "-byte frame to TAP device " + name + ": " + Errno.last());
            }
            if (written != n) {
                throw new IOException("short write to TAP device " + name + ": " + (written - (n - frame)) + " of " + frame + " bytes");
            }
        } finally {
            shared.unlock();
        }
    }

    /** Idempotent; wakes a reader waiting in poll(2) and closes the device once no call is inside the kernel. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Pointer one = Memory.allocateDirect(LibC.RUNTIME, 8);
        one.putLong(0, 1);
        if (libc.write(wakeFd, one, 8) != 8) {
            log.warn("TAP {}: could not wake the reader ({}); closing after its poll times out", name, Errno.last());
        }
        Lock exclusive = fdInUse.writeLock();
        exclusive.lock();
        try {
            libc.close(fd);
            libc.close(wakeFd);
        } finally {
            exclusive.unlock();
        }
    }

    @Override
    public String toString() {
        return "LinuxTap[" + name + ", " + mac + ", mtu " + mtu + "]";
    }
}
