package io.ipop.frame;

/**
 * An IPv4 network, {@code 192.168.50.0/24}: what a certificate lets a node send from besides its overlay
 * address (a LAN routed behind it). Host bits must be zero. Allocation-free {@link #contains}.
 */
public record Ipv4Prefix(int network, int length) {

    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32, was " + length);
        }
        if ((network & ~mask(length)) != 0) {
            throw new IllegalArgumentException("host bits set in " + OverlayAddress.dotted(network) + "/" + length);
        }
    }

    /** The single address {@code address}, as a /32. */
    public static Ipv4Prefix host(int address) {
        return new Ipv4Prefix(address, 32);
    }

    /** Parses {@code a.b.c.d/n}, host bits zero (a bare address is a /32). */
    public static Ipv4Prefix parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        int length = 32;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!OverlayAddress.isAsciiNumber(p, 2) || Integer.parseInt(p) > 32) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\" (0..32)");
            }
            length = Integer.parseInt(p);
        }
        int address = OverlayAddress.parseIpv4(slash < 0 ? s : s.substring(0, slash), text);
        if ((address & ~mask(length)) != 0) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set (did you mean "
                    + OverlayAddress.dotted(address & mask(length)) + "/" + length + "?)");
        }
        return new Ipv4Prefix(address, length);
    }

    static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public boolean contains(int address) {
        return (address & mask(length)) == network;
    }

    @Override
    public String toString() {
        return OverlayAddress.dotted(network) + "/" + length;
    }
}
