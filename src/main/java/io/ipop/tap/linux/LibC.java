package io.ipop.tap.linux;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the TAP device needs, and the Linux constants that go with them (the values shared by
 * x86-64 and aarch64; not alpha, mips, parisc or sparc).
 */
final class LibC {
    static final Calls INSTANCE = LibraryLoader.create(Calls.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final short POLLIN = 0x1;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    static final long TUNSETIFF = 0x400454CAL;
    static final long TUNSETOFFLOAD = 0x400454D0L;
    static final int IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891C;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCGIFHWADDR = 0x8927;
    static final long SIOCSIFHWADDR = 0x8924;
    static final long SIOCSIFTXQLEN = 0x8943;
    static final int ARPHRD_ETHER = 1;

    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EBADFD = 77;

    private LibC() {
    }

    /**
     * The binding. Public only because JNR defines its implementation in a class loader of its own, which may
     * implement public interfaces only; it stays unreachable outside this package because {@link LibC} is not public.
     * Java {@code long} binds to C {@code long}, matching the {@code unsigned long} of ioctl requests and {@code nfds_t}.
     */
    public interface Calls {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int close(int fd);

        @SaveError
        int socket(int domain, int type, int protocol);

        /** Only for requests whose argument is a {@code struct ifreq}; the array is copied in and back out. */
        @SaveError
        @Variadic(fixedCount = 2)
        int ioctl(int fd, long request, @In @Out byte[] ifreq);

        /** For requests whose argument is a plain value, such as TUNSETOFFLOAD. */
        @SaveError
        @Variadic(fixedCount = 2)
        int ioctl(int fd, long request, long value);

        @SaveError
        int poll(Pointer fds, long nfds, int timeoutMillis);

        @SaveError
        int eventfd(int initval, int flags);

        @SaveError
        @ssize_t long read(int fd, Pointer buf, @size_t long count);

        @SaveError
        @ssize_t long write(int fd, Pointer buf, @size_t long count);

        @IgnoreError
        String strerror(int errnum);
    }
}
