package io.ipop.tap.linux;

import io.ipop.frame.MacAddress;
import io.ipop.tap.TapException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code struct ifreq} as the 40 bytes of the 64-bit Linux layout: the interface name (NUL-terminated,
 * at most {@value #MAX_NAME_BYTES} bytes) at offset 0 and the request union at offset 16. Host-order fields
 * use the native byte order; IPv4 addresses inside a {@code sockaddr_in} are in network byte order.
 * Pure Java, so the layout can be tested without privileges.
 */
final class IfReq {
    static final int SIZE = 40;
    /** IFNAMSIZ minus the terminating NUL. */
    static final int MAX_NAME_BYTES = 15;

    private static final int UNION = 16;
    private static final int SOCKADDR_PORT = UNION + 2;
    private static final int SOCKADDR_IN_ADDR = UNION + 4;
    private static final int SOCKADDR_DATA = UNION + 2;

    private final byte[] bytes = new byte[SIZE];
    private final ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

    /** @throws TapException if {@code name} is empty, too long or contains a NUL */
    IfReq(String name) {
        byte[] encoded = encodeName(name);
        System.arraycopy(encoded, 0, bytes, 0, encoded.length);
    }

    static byte[] encodeName(String name) {
        if (name == null || name.isEmpty()) {
            throw new TapException("TAP interface name must not be empty");
        }
        byte[] encoded = name.getBytes(StandardCharsets.UTF_8);
        if (encoded.length > MAX_NAME_BYTES) {
            throw new TapException("TAP interface name \"" + name + "\" is too long: Linux allows at most "
                    + MAX_NAME_BYTES + " characters, it has " + encoded.length);
        }
        if (name.indexOf('\0') >= 0) {
            throw new TapException("TAP interface name must not contain a NUL character");
        }
        return encoded;
    }

    /** The name currently in the struct; after TUNSETIFF, the one the kernel chose (e.g. for {@code ipop%d}). */
    String name() {
        int end = 0;
        while (end <= MAX_NAME_BYTES && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** {@code ifr_flags}, an unsigned 16-bit value. */
    int flags() {
        return view.getShort(UNION) & 0xFFFF;
    }

    IfReq flags(int flags) {
        view.putShort(UNION, (short) flags);
        return this;
    }

    /** {@code ifr_mtu}. */
    int mtu() {
        return view.getInt(UNION);
    }

    IfReq mtu(int mtu) {
        view.putInt(UNION, mtu);
        return this;
    }

    /** {@code ifr_qlen} (the same place in the union as {@code ifr_mtu}). */
    IfReq txQueueLength(int length) {
        view.putInt(UNION, length);
        return this;
    }

    /** Stores {@code address} (as held by {@link io.ipop.frame.OverlayAddress}) as an AF_INET {@code sockaddr_in}, port 0. */
    IfReq inet4(int address) {
        view.putShort(UNION, (short) LibC.AF_INET);
        view.putShort(SOCKADDR_PORT, (short) 0);
        for (int i = 0; i < 4; i++) {
            bytes[SOCKADDR_IN_ADDR + i] = (byte) (address >>> (24 - 8 * i));
        }
        return this;
    }

    /** The address of the {@code sockaddr_in} in the union. */
    int inet4() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (bytes[SOCKADDR_IN_ADDR + i] & 0xFF);
        }
        return v;
    }

    /** Sets {@code ifr_hwaddr} to an Ethernet address (family ARPHRD_ETHER), for SIOCSIFHWADDR. */
    IfReq hardwareAddress(MacAddress mac) {
        view.putShort(UNION, (short) LibC.ARPHRD_ETHER);
        mac.writeTo(bytes, SOCKADDR_DATA);
        return this;
    }

    /** The first six bytes of {@code ifr_hwaddr.sa_data}, as filled by SIOCGIFHWADDR. */
    MacAddress hardwareAddress() {
        return MacAddress.of(bytes, SOCKADDR_DATA);
    }

    /** The struct itself, handed to ioctl, which may write into it. */
    byte[] bytes() {
        return bytes;
    }
}
