package io.ipop.frame;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 address with its prefix length, as assigned to the TAP device: {@code 10.77.0.1/24}. */
public record OverlayAddress(int address, int prefixLength) {

    public OverlayAddress {
        if (prefixLength < 1 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 1..32, was " + prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}; a bare {@code a.b.c.d} is accepted only if {@code requirePrefix} is false (as /32). */
    public static OverlayAddress parse(String text, boolean requirePrefix) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0 && requirePrefix) {
            throw new IllegalArgumentException("expected an IPv4 address with prefix, e.g. 10.77.0.1/24, got \"" + text + "\"");
        }
        String ip = slash < 0 ? s : s.substring(0, slash);
        int prefix = 32;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!isAsciiNumber(p, 2)) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
            }
            prefix = Integer.parseInt(p);
            if (prefix < 1 || prefix > 32) {
                throw new IllegalArgumentException("prefix length must be 1..32 in \"" + text + "\"");
            }
        }
        return new OverlayAddress(parseIpv4(ip, text), prefix);
    }

    static int parseIpv4(String ip, String original) {
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + original + "\"");
        }
        int v = 0;
        for (String p : parts) {
            if (!isAsciiNumber(p, 3)) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + original + "\"");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + original + "\"");
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    /** 1..{@code maxDigits} ASCII digits and nothing else (no sign, no other scripts' digits). */
    public static boolean isAsciiNumber(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    public int netmask() {
        return prefixLength == 32 ? -1 : ~(-1 >>> prefixLength);
    }

    public boolean sameSubnet(OverlayAddress other) {
        return (address & netmask()) == (other.address & netmask());
    }

    public InetAddress inetAddress() {
        return toInet(address);
    }

    public InetAddress netmaskAddress() {
        return toInet(netmask());
    }

    private static InetAddress toInet(int v) {
        try {
            return Inet4Address.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address alone, {@code 10.77.0.1}. */
    public String ip() {
        return dotted(address);
    }

    /** {@code a.b.c.d} of an IPv4 address held in an int. */
    public static String dotted(int address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    @Override
    public String toString() {
        return ip() + "/" + prefixLength;
    }
}
