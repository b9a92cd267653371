package io.ipop.frame;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * A 48-bit Ethernet address held in the low bits of a long, so switch lookups need no allocation.
 */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address has more than 48 bits: " + Long.toHexString(bits));
        }
    }

    /**
     * The MAC of the node named {@code nodeName}: locally administered, unicast, the rest from SHA-256 of the
     * name. {@code tap.mac = auto} uses it, and with certificates it is the only MAC a node may use: the
     * certified name fixes it, so no member can take another's (docs/security.md).
     */
    public static MacAddress derivedFrom(String nodeName) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(nodeName.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        long bits = 0x02L;                                   // locally administered, unicast
        for (int i = 0; i < 5; i++) {
            bits = (bits << 8) | (h[i] & 0xFF);
        }
        return new MacAddress(bits);
    }

    /** Reads six bytes at {@code offset}. */
    public static long bitsAt(byte[] buf, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (buf[offset + i] & 0xFF);
        }
        return v;
    }

    public static MacAddress of(byte[] buf, int offset) {
        return new MacAddress(bitsAt(buf, offset));
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive). */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2 || !isHexDigit(p.charAt(0)) || !isHexDigit(p.charAt(1))) {
                throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
            }
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Group bit (I/G) of the first octet: broadcast and multicast frames. */
    public static boolean isGroup(long bits) {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    public boolean isGroup() {
        return isGroup(bits);
    }

    public void writeTo(byte[] buf, int offset) {
        for (int i = 5; i >= 0; i--) {
            buf[offset + i] = (byte) (bits >>> (8 * (5 - i)));
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format(Locale.ROOT, "%02x", (bits >>> (8 * i)) & 0xFF));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
