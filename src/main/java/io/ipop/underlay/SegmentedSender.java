package io.ipop.underlay;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;
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
 * UDP segmentation offload (Linux {@code UDP_SEGMENT}, kernel 4.18+): many datagrams of one length (the
 * last may be shorter) to one address leave in one {@code sendmsg(2)}, and the kernel's IP stack and the
 * device handle them as one packet until they are cut apart, as late as the path allows. The data plane
 * sends each TCP super-frame the TAP hands over this way: one system call for dozens of datagrams.
 *
 * <p>It writes to the {@link DatagramChannel}'s own descriptor, reached through the JDK's
 * {@code sun.nio.ch.SelChImpl} (the jar's manifest exports that package to it; without that,
 * {@link #open} returns null and the node sends one datagram per call). Linux x86-64/aarch64 layout of
 * {@code struct msghdr}, {@code iovec}, {@code cmsghdr}, {@code sockaddr_in}/{@code sockaddr_in6}.
 *
 * <p>Thread-safe (one native buffer, used under this object's monitor).
 */
final class SegmentedSender {
    /** The kernel's cap on segments per call (UDP_MAX_SEGMENTS). */
    static final int MAX_SEGMENTS = 64;
    /** The most payload one call may carry: one IPv4/IPv6 datagram's worth, less the headers. */
    static final int MAX_BYTES = 65_000;

    private static final Logger log = LoggerFactory.getLogger(SegmentedSender.class);
    private static final int SOL_SOCKET = 1;
    private static final int SO_DOMAIN = 39;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int EAGAIN = 11;
    private static final int MSG_HDR = 0;
    private static final int IOV = 56;
    private static final int NAME = IOV + 16;
    private static final int CONTROL = NAME + 32;
    private static final int CONTROL_SPACE = 24;                 // CMSG_SPACE(sizeof(uint16_t))
    private static final int DATA = CONTROL + CONTROL_SPACE;

    /** The binding; public only because JNR implements it in a class loader of its own. */
    public interface Calls {
        @SaveError
        @ssize_t long sendmsg(int fd, Pointer msg, int flags);

        @SaveError
        int getsockopt(int fd, int level, int name, @Out IntByReference value, @In @Out IntByReference length);

        @IgnoreError
        String strerror(int errnum);
    }

    private final Calls libc;
    private final Runtime runtime;
    private final int fd;
    private final boolean ipv6Socket;
    private final Pointer mem;

    private SegmentedSender(Calls libc, int fd, boolean ipv6Socket) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.fd = fd;
        this.ipv6Socket = ipv6Socket;
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
    }

    /** The sender for {@code channel}, or null if its descriptor cannot be reached (then send one by one). */
    static SegmentedSender open(DatagramChannel channel) {
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
            return new SegmentedSender(libc, fd, domain.intValue() == AF_INET6);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.info("UDP segmentation offload unavailable, sending one datagram per system call: {}", e.toString());
            return null;
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
        mem.putInt(MSG_HDR + 8, putAddress(dest));                    // msg_namelen
        long n = libc.sendmsg(fd, mem, 0);
        if (n >= 0) {
            return true;
        }
        int errno = runtime.getLastError();
        if (errno == EAGAIN) {
            return false;
        }
        throw new IOException("sendmsg with UDP_SEGMENT of " + (to - from) + " datagrams to " + dest + ": "
                + libc.strerror(errno) + " (errno " + errno + ")");
    }

    /** Writes {@code dest} as the socket's family expects it; returns its length. */
    private int putAddress(Endpoint dest) {
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
