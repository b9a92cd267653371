package io.ipop.underlay;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.ssize_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP segmentation and receive offloads (Linux {@code UDP_SEGMENT}, kernel 4.18+, and {@code UDP_GRO},
 * 5.0+) on the {@link DatagramChannel}'s own descriptor.
 *
 * <p>Send: many datagrams of one length (the last may be shorter) to one address leave in one
 * {@code sendmsg(2)}; the kernel's IP stack and the device handle them as one packet until they are cut
 * apart, as late as the path allows. The data plane sends each TCP super-frame the TAP hands over this
 * way. Receive: with {@code UDP_GRO} on, the kernel hands consecutive datagrams of one sender that
 * arrived together as one buffer, with the length they all have (the last may be shorter) in a control
 * message; one {@code recvmsg(2)} instead of one per datagram.
 *
 * <p>The descriptor is reached through the JDK's {@code sun.nio.ch.SelChImpl} (the jar's manifest
 * exports that package to it; without that, {@link #open} returns null and the node uses the channel's
 * own calls). Linux x86-64/aarch64 layout of {@code struct msghdr}, {@code iovec}, {@code cmsghdr},
 * {@code sockaddr_in}/{@code sockaddr_in6}.
 *
 * <p>Sends are serialized on the send buffer's monitor; receives must come from one thread at a time.
 */
final class UdpOffload {
    /** The kernel's cap on segments per call (UDP_MAX_SEGMENTS). */
    static final int MAX_SEGMENTS = 64;
    /** The most payload one call may carry: one IPv4/IPv6 datagram's worth, less the headers. */
    static final int MAX_BYTES = 65_000;

    private static final Logger log = LoggerFactory.getLogger(UdpOffload.class);
    private static final int SOL_SOCKET = 1;
    private static final int SO_DOMAIN = 39;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int UDP_GRO = 104;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int EAGAIN = 11;
    private static final int EIO = 5;
    private static final int MSG_HDR = 0;
    private static final int IOV = 56;
    private static final int NAME = IOV + 16;
    private static final int CONTROL = NAME + 32;
    private static final int CONTROL_SPACE = 24;                 // CMSG_SPACE(sizeof(uint16_t))
    private static final int DATA = CONTROL + CONTROL_SPACE;
    // sendLimited's buffer: msghdr, iovec, sockaddr, one cmsghdr with an int (IP_TTL / IPV6_HOPLIMIT), the datagram
    private static final int SOL_IP = 0;
    private static final int IP_TTL = 2;
    private static final int SOL_IPV6 = 41;
    private static final int IPV6_HOPLIMIT = 52;
    private static final int TTL_CONTROL_SPACE = 24;             // CMSG_SPACE(sizeof(int))
    private static final int TTL_DATA = CONTROL + TTL_CONTROL_SPACE;
    /** The largest datagram {@link #sendLimited} takes (control messages; a hello is at most a few KB). */
    static final int MAX_LIMITED = 16_384;

    /** The binding; public only because JNR implements it in a class loader of its own. */
    public interface Calls {
        @SaveError
        @ssize_t long sendmsg(int fd, Pointer msg, int flags);

        @SaveError
        @ssize_t long recvmsg(int fd, Pointer msg, int flags);

        @SaveError
        int getsockopt(int fd, int level, int name, @Out IntByReference value, @In @Out IntByReference length);

        @SaveError
        int setsockopt(int fd, int level, int name, @In IntByReference value, int length);

        @IgnoreError
        String strerror(int errnum);
    }

    // the receive buffer: msghdr, iovec, sockaddr_storage, one cmsghdr with an int, the datagrams
    private static final int RX_IOV = 56;
    private static final int RX_NAME = RX_IOV + 16;
    private static final int RX_NAME_CAPACITY = 128;
    private static final int RX_CONTROL = RX_NAME + RX_NAME_CAPACITY;
    private static final int RX_CONTROL_SPACE = 24;              // CMSG_SPACE(sizeof(int))
    private static final int RX_DATA = RX_CONTROL + RX_CONTROL_SPACE + 8;
    private static final int RX_CAPACITY = 65_536;
    private static final int MSG_DONTWAIT = 0x40;

    private final Calls libc;
    private final Runtime runtime;
    private final int fd;
    private final boolean ipv6Socket;
    private final Pointer mem;
    private final Pointer limited;
    private final Pointer rx;
    /** Held shared around every system call on {@link #fd}, exclusively by {@link #close}: never a recycled descriptor. */
    private final ReentrantReadWriteLock fdInUse = new ReentrantReadWriteLock();
    private boolean closed;
    private boolean receiveCoalesced;
    /** The last sender's raw address, and its endpoint: a burst from one peer makes one Endpoint. */
    private final byte[] lastName = new byte[28];
    private final byte[] name = new byte[28];
    private Endpoint lastFrom;

    private UdpOffload(Calls libc, int fd, boolean ipv6Socket) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.fd = fd;
        this.ipv6Socket = ipv6Socket;
        this.rx = Memory.allocateDirect(runtime, RX_DATA + RX_CAPACITY);
        rx.putAddress(MSG_HDR, rx.address() + RX_NAME);
        rx.putAddress(MSG_HDR + 16, rx.address() + RX_IOV);
        rx.putLong(MSG_HDR + 24, 1);
        rx.putAddress(MSG_HDR + 32, rx.address() + RX_CONTROL);
        rx.putAddress(RX_IOV, rx.address() + RX_DATA);
        this.mem = Memory.allocateDirect(runtime, DATA + MAX_BYTES);
        mem.putAddress(MSG_HDR, mem.address() + NAME);               // msg_name
        mem.putAddress(MSG_HDR + 16, mem.address() + IOV);           // msg_iov
        mem.putLong(MSG_HDR + 24, 1);                                // msg_iovlen
        mem.putAddress(MSG_HDR + 32, mem.address() + CONTROL);       // msg_control
        mem.putLong(MSG_HDR + 40, CONTROL_SPACE);                    // msg_controllen
        mem.putInt(MSG_HDR + 48, 0);                                 // msg_flags
        mem.putAddress(IOV, mem.address() + DATA);                   // iov_base
        mem.putLong(CONTROL, 18);                                    // cmsg_len = CMSG_LEN(sizeof(uint16_t))
        mem.putInt(CONTROL + 8, SOL_UDP);
        mem.putInt(CONTROL + 12, UDP_SEGMENT);
        this.limited = Memory.allocateDirect(runtime, TTL_DATA + MAX_LIMITED);
        limited.putAddress(MSG_HDR, limited.address() + NAME);
        limited.putAddress(MSG_HDR + 16, limited.address() + IOV);
        limited.putLong(MSG_HDR + 24, 1);
        limited.putAddress(MSG_HDR + 32, limited.address() + CONTROL);
        limited.putLong(MSG_HDR + 40, TTL_CONTROL_SPACE);
        limited.putInt(MSG_HDR + 48, 0);
        limited.putAddress(IOV, limited.address() + TTL_DATA);
        limited.putLong(CONTROL, 20);                                // cmsg_len = CMSG_LEN(sizeof(int))
    }

    /** The offloads for {@code channel}, or null if its descriptor cannot be reached (then one datagram per call). */
    static UdpOffload open(DatagramChannel channel) {
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            Method fdVal = selChImpl.getMethod("getFDVal");
            int fd = (int) fdVal.invoke(channel);
            Calls libc = LibraryLoader.create(Calls.class).load("c");
            IntByReference domain = new IntByReference();
            IntByReference length = new IntByReference(4);
            if (libc.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, domain, length) != 0) {
                return null;
            }
            return new UdpOffload(libc, fd, domain.intValue() == AF_INET6);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.info("UDP offloads unavailable, one datagram per system call: {}", e.toString());
            return null;
        }
    }

    /** libc and the descriptor lookup for {@link #setTtl}, loaded at first use; null if unreachable. */
    private static final class TtlCalls {
        static final Calls LIBC;
        static final Method FD_VAL;

        static {
            Calls libc = null;
            Method fdVal = null;
            try {
                fdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
                libc = LibraryLoader.create(Calls.class).load("c");
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                log.info("cannot set a socket's IP TTL: {}", e.toString());
            }
            LIBC = libc;
            FD_VAL = fdVal;
        }
    }

    /**
     * Sets the IP TTL of every datagram {@code channel} sends from now on ({@code -1}: the route's default again);
     * IPv4 sockets. False if the descriptor cannot be reached or the kernel refused.
     */
    static boolean setTtl(DatagramChannel channel, int ttl) {
        if (TtlCalls.LIBC == null) {
            return false;
        }
        try {
            int fd = (int) TtlCalls.FD_VAL.invoke(channel);
            return TtlCalls.LIBC.setsockopt(fd, SOL_IP, IP_TTL, new IntByReference(ttl), 4) == 0;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends {@code datagrams[from, to)} to {@code dest} in one call: all of the first one's length but the
     * last, which may be shorter; at most {@link #MAX_SEGMENTS} and {@link #MAX_BYTES} together.
     *
     * @return false if the socket buffer is full (nothing was sent; try again)
     * @throws IOException if the kernel refused the call (nothing was sent)
     */
    synchronized boolean send(List<byte[]> datagrams, int from, int to, Endpoint dest) throws IOException {
        int segment = datagrams.get(from).length;
        int at = DATA;
        for (int i = from; i < to; i++) {
            byte[] d = datagrams.get(i);
            mem.put(at, d, 0, d.length);
            at += d.length;
        }
        mem.putLong(IOV + 8, at - DATA);                              // iov_len
        mem.putShort(CONTROL + 16, (short) segment);                  // gso_size
        mem.putInt(MSG_HDR + 8, putAddress(mem, dest));               // msg_namelen
        int errno = sendmsg(mem);
        if (errno != 0 && errno != EAGAIN) {                          // the message is built only on failure
            throw failed("with UDP_SEGMENT of " + (to - from) + " datagrams to " + dest, errno);
        }
        return errno == 0;
    }

    /**
     * Sends one datagram whose IP TTL (IPv6: hop limit) is {@code ttl}, set for this datagram alone through a
     * control message (the socket's own TTL, and every other datagram, stay as they are).
     *
     * @return false if the socket buffer is full or the datagram is over {@link #MAX_LIMITED} (nothing was sent)
     * @throws IOException if the kernel refused the call (nothing was sent)
     */
    synchronized boolean sendLimited(byte[] buf, int offset, int length, Endpoint dest, int ttl) throws IOException {
        if (length > MAX_LIMITED) {
            return false;
        }
        limited.put(TTL_DATA, buf, offset, length);
        limited.putLong(IOV + 8, length);
        limited.putInt(MSG_HDR + 8, putAddress(limited, dest));
        boolean v6 = dest.address().getAddress() instanceof Inet6Address;
        limited.putInt(CONTROL + 8, v6 ? SOL_IPV6 : SOL_IP);
        limited.putInt(CONTROL + 12, v6 ? IPV6_HOPLIMIT : IP_TTL);
        limited.putInt(CONTROL + 16, ttl);
        int errno = sendmsg(limited);
        if (errno != 0 && errno != EAGAIN) {
            throw failed("with a TTL of " + ttl + " to " + dest, errno);
        }
        return errno == 0;
    }

    /**
     * One {@code sendmsg(2)} of the message prepared in {@code msg}, never on a closed descriptor.
     *
     * @return 0 if sent, else the errno ({@code EAGAIN}: the socket buffer is full; nothing was sent)
     * @throws IOException if the descriptor is closed
     */
    private int sendmsg(Pointer msg) throws IOException {
        Lock shared = fdInUse.readLock();
        shared.lock();
        try {
            if (closed) {
                throw new IOException("socket closed");
            }
            if (libc.sendmsg(fd, msg, 0) >= 0) {
                return 0;
            }
        } finally {
            shared.unlock();
        }
        int errno = runtime.getLastError();
        return errno == 0 ? EIO : errno;                              // failed without an errno: still a failure
    }

    private IOException failed(String what, int errno) {
        return new IOException("sendmsg " + what + ": " + libc.strerror(errno) + " (errno " + errno + ")");
    }

    /** Asks the kernel to coalesce received datagrams ({@code UDP_GRO}); false if it does not have it. */
    boolean coalesceReceived() {
        IntByReference one = new IntByReference(1);
        receiveCoalesced = libc.setsockopt(fd, SOL_UDP, UDP_GRO, one, 4) == 0;
        return receiveCoalesced;
    }

    /**
     * Takes what is waiting without blocking: one datagram, or with {@link #coalesceReceived} several of
     * one sender as one buffer. One thread at a time.
     *
     * @return the sender, the bytes copied into {@code buf} and the length of each datagram in them (the
     *         last may be shorter); null if nothing is waiting or the socket is closed
     */
    Underlay.Received receive(byte[] buf) throws IOException {
        rx.putInt(MSG_HDR + 8, RX_NAME_CAPACITY);                     // msg_namelen
        rx.putLong(MSG_HDR + 40, RX_CONTROL_SPACE);                   // msg_controllen
        rx.putInt(MSG_HDR + 48, 0);                                   // msg_flags
        rx.putLong(RX_IOV + 8, Math.min(buf.length, RX_CAPACITY));   // iov_len
        long n;
        Lock shared = fdInUse.readLock();
        shared.lock();
        try {
            if (closed) {
                return null;
            }
            n = libc.recvmsg(fd, rx, MSG_DONTWAIT);
        } finally {
            shared.unlock();
        }
        if (n < 0) {
            int errno = runtime.getLastError();
            if (errno == EAGAIN) {
                return null;
            }
            throw new IOException("recvmsg: " + libc.strerror(errno) + " (errno " + errno + ")");
        }
        int length = (int) n;
        int segment = length;
        if (receiveCoalesced && rx.getLong(MSG_HDR + 40) >= 20 && rx.getInt(RX_CONTROL + 8) == SOL_UDP
                && rx.getInt(RX_CONTROL + 12) == UDP_GRO) {
            segment = Math.max(1, Math.min(length, rx.getInt(RX_CONTROL + 16)));
        }
        rx.get(RX_DATA, buf, 0, length);
        return new Underlay.Received(sender(), length, segment);
    }

    /** No system call on the descriptor after this returns (call before the channel closes it). */
    void close() {
        Lock exclusive = fdInUse.writeLock();
        exclusive.lock();
        try {
            closed = true;
        } finally {
            exclusive.unlock();
        }
    }

    /** The sender of the last receive, reusing the previous Endpoint when it is the same. */
    private Endpoint sender() throws IOException {
        int family = rx.getShort(RX_NAME) & 0xFFFF;
        int length = family == AF_INET ? 16 : 28;
        rx.get(RX_NAME, name, 0, length);
        if (lastFrom != null && Arrays.equals(name, 0, length, lastName, 0, length)) {
            return lastFrom;
        }
        int port = ((name[2] & 0xFF) << 8) | (name[3] & 0xFF);
        InetAddress address;
        if (family == AF_INET) {
            address = InetAddress.getByAddress(Arrays.copyOfRange(name, 4, 8));
        } else if (family == AF_INET6) {
            address = InetAddress.getByAddress(Arrays.copyOfRange(name, 8, 24));   // v4-mapped comes back as IPv4
        } else {
            throw new IOException("recvmsg: sender of address family " + family);
        }
        System.arraycopy(name, 0, lastName, 0, length);
        lastFrom = Endpoint.of(address, port);
        return lastFrom;
    }

    /** Writes {@code dest} at {@link #NAME} of {@code mem} as the socket's family expects it; returns its length. */
    private int putAddress(Pointer mem, Endpoint dest) {
        InetAddress address = dest.address().getAddress();
        int port = dest.address().getPort();
        byte[] raw = address.getAddress();
        for (int i = 0; i < 28; i++) {
            mem.putByte(NAME + i, (byte) 0);
        }
        mem.putByte(NAME + 2, (byte) (port >>> 8));
        mem.putByte(NAME + 3, (byte) port);
        if (!ipv6Socket) {
            mem.putShort(NAME, (short) AF_INET);
            mem.put(NAME + 4, raw, 0, 4);
            return 16;
        }
        mem.putShort(NAME, (short) AF_INET6);
        if (address instanceof Inet4Address) {                       // IPv4-mapped ::ffff:a.b.c.d
            mem.putByte(NAME + 8 + 10, (byte) 0xFF);
            mem.putByte(NAME + 8 + 11, (byte) 0xFF);
            mem.put(NAME + 8 + 12, raw, 0, 4);
        } else {
            mem.put(NAME + 8, raw, 0, 16);
        }
        return 28;
    }
}
