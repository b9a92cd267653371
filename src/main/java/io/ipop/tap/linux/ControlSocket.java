package io.ipop.tap.linux;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.tap.TapException;

/**
 * An AF_INET datagram socket used only as a handle for the interface ioctls that configure one interface.
 * Every failure is a {@link TapException} naming the interface; close the socket when configuration is done.
 */
final class ControlSocket implements AutoCloseable {
    /** Kernel limits for a TAP device: ETH_MIN_MTU and 65535 minus the Ethernet header. */
    private static final int MIN_MTU = 68;
    private static final int MAX_MTU = 65521;

    private final LibC.Calls libc;
    private final int fd;
    private final String ifname;

    private ControlSocket(LibC.Calls libc, int fd, String ifname) {
        this.libc = libc;
        this.fd = fd;
        this.ifname = ifname;
    }

    static ControlSocket open(LibC.Calls libc, String ifname) {
        int fd = libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new TapException("cannot open a control socket to configure " + ifname + ": " + Errno.last());
        }
        return new ControlSocket(libc, fd, ifname);
    }

    void setMtu(int mtu) {
        call(LibC.SIOCSIFMTU, request().mtu(mtu), "set MTU " + mtu,
                "a TAP device accepts an MTU of " + MIN_MTU + ".." + MAX_MTU);
    }

    /**
     * The transmit queue length: for a TAP, the frames the kernel holds for the node to read before it drops
     * (counted as the interface's {@code tx_dropped}).
     */
    void setTxQueueLength(int length) {
        call(LibC.SIOCSIFTXQLEN, request().txQueueLength(length), "set the transmit queue length " + length, null);
    }

    /** Assigns the address and its prefix, replacing the classful netmask the kernel derives from the address. */
    void setAddress(OverlayAddress address) {
        call(LibC.SIOCSIFADDR, request().inet4(address.address()), "set address " + address.ip(), null);
        call(LibC.SIOCSIFNETMASK, request().inet4(address.netmask()), "set netmask of " + address, null);
    }

    /** Sets IFF_UP and IFF_RUNNING, keeping the flags already set. */
    void bringUp() {
        IfReq req = call(LibC.SIOCGIFFLAGS, request(), "read flags", null);
        req.flags(req.flags() | LibC.IFF_UP | LibC.IFF_RUNNING);
        call(LibC.SIOCSIFFLAGS, req, "bring up", null);
    }

    /** Sets the MAC; the interface must still be down. */
    void setHardwareAddress(MacAddress mac) {
        call(LibC.SIOCSIFHWADDR, request().hardwareAddress(mac), "set MAC " + mac,
                "a TAP MAC must be a unicast address");
    }

    MacAddress hardwareAddress() {
        return call(LibC.SIOCGIFHWADDR, request(), "read the MAC address", null).hardwareAddress();
    }

    @Override
    public void close() {
        libc.close(fd);
    }

    private IfReq request() {
        return new IfReq(ifname);
    }

    /** Runs the ioctl and returns {@code req} as the kernel left it; {@code invalidHint} explains EINVAL, if known. */
    private IfReq call(long request, IfReq req, String action, String invalidHint) {
        if (libc.ioctl(fd, request, req.bytes()) < 0) {
            Errno err = Errno.last();
            String hint = err.isPermissionDenied() ? "ipop-node needs CAP_NET_ADMIN (run as root)"
                    : err.code() == LibC.EINVAL ? invalidHint
                    : null;
            throw new TapException("cannot " + action + " on " + ifname + ": " + err + (hint == null ? "" : " — " + hint));
        }
        return req;
    }
}
