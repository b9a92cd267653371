package io.ipop.frame;

/**
 * Offsets into an Ethernet II frame as the TAP device hands it over (no preamble, no FCS).
 *
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+--------------
 * | destination MAC   | source MAC        | type  | payload ...
 * +-------------------+-------------------+-------+--------------
 * </pre>
 */
public final class EthernetHeader {
    public static final int DESTINATION = 0;
    public static final int SOURCE = 6;
    public static final int ETHER_TYPE = 12;
    public static final int LENGTH = 14;

    private EthernetHeader() {
    }

    /** True if {@code length} bytes can hold at least an Ethernet header. */
    public static boolean fits(int length) {
        return length >= LENGTH;
    }

    public static long destination(byte[] frame, int offset) {
        return MacAddress.bitsAt(frame, offset + DESTINATION);
    }

    public static long source(byte[] frame, int offset) {
        return MacAddress.bitsAt(frame, offset + SOURCE);
    }

    public static int etherType(byte[] frame, int offset) {
        return ((frame[offset + ETHER_TYPE] & 0xFF) << 8) | (frame[offset + ETHER_TYPE + 1] & 0xFF);
    }
}
