package io.ipop.frame;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv6 network or address held in two longs ({@code hi} = first 64 bits), so data-plane checks
 * allocate nothing. {@code fd77::1} is a /128. Host bits must be zero.
 */
public record Ipv6Prefix(long hi, long lo, int length) {

    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128, was " + length);
        }
        if ((hi & ~maskHi(length)) != 0 || (lo & ~maskLo(length)) != 0) {
            throw new IllegalArgumentException("host bits set in an IPv6 prefix of length " + length);
        }
    }

    /**
     * Parses {@code fd77::/64} or {@code fd77::1} (a /128). With {@code hostAddress}, {@code fd77::1/64}
     * means the one address {@code fd77::1} (the length only says which network it sits on, as with
     * {@code ip addr}); without, host bits must be zero. Only literals: no name is ever looked up.
     */
    public static Ipv6Prefix parse(String text, boolean hostAddress) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String ip = slash < 0 ? s : s.substring(0, slash);
        int length = 128;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!OverlayAddress.isAsciiNumber(p, 3) || Integer.parseInt(p) > 128) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\" (0..128)");
            }
            length = Integer.parseInt(p);
        }
        if (ip.indexOf(':') < 0 || ip.indexOf('%') >= 0 || !ip.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("not an IPv6 address: \"" + text + "\"");
        }
        byte[] b;
        try {
            // a literal with ':' is parsed, never looked up; the character check above keeps names out
            InetAddress a = InetAddress.getByName(ip);
            if (!(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IPv6 address: \"" + text + "\"");
            }
            b = a.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: \"" + text + "\"");
        }
        long hi = bits(b, 0);
        long lo = bits(b, 8);
        if (hostAddress) {
            return new Ipv6Prefix(hi, lo, 128);
        }
        if ((hi & ~maskHi(length)) != 0 || (lo & ~maskLo(length)) != 0) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set");
        }
        return new Ipv6Prefix(hi, lo, length);
    }

    /** Whether the address is an IPv6 prefix or address literal (contains ':'). */
    public static boolean looksLikeIpv6(String text) {
        return text.indexOf(':') >= 0;
    }

    static long bits(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    static long maskHi(int length) {
        return length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
    }

    static long maskLo(int length) {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    public boolean contains(long addrHi, long addrLo) {
        return (addrHi & maskHi(length)) == hi && (addrLo & maskLo(length)) == lo;
    }

    @Override
    public String toString() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            String s = InetAddress.getByAddress(b).getHostAddress();
            return compress(s) + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Java prints 0:0:0:...; the usual short form is nicer to read in logs and config. */
    private static String compress(String full) {
        String s = ":" + full.replaceAll("(^|:)0+([0-9a-f])", "$1$2") + ":";
        String best = null;
        for (String run = ":0:0:0:0:0:0:0:0:"; run.length() >= 5; run = run.substring(2)) {
            if (s.contains(run)) {
                best = run;
                break;
            }
        }
        if (best != null) {
            s = s.replaceFirst(best, "::");
        }
        s = s.startsWith("::") ? s : s.substring(1);
        s = s.endsWith("::") ? s : s.substring(0, s.length() - 1);
        return s;
    }
}
