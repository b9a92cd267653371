package io.ipop.tap.linux;

/**
 * The {@code struct virtio_net_hdr} (10 bytes, little-endian on this host) that precedes every frame
 * on a TAP opened with {@code IFF_VNET_HDR}:
 *
 * <pre>
 *  0       1          2..3      4..5       6..7         8..9
 * +-------+----------+---------+----------+------------+-------------+
 * | flags | gso_type | hdr_len | gso_size | csum_start | csum_offset |
 * +-------+----------+---------+----------+------------+-------------+
 * </pre>
 */
record VnetHeader(int flags, int gsoType, int headerLength, int gsoSize, int csumStart, int csumOffset) {
    static final int LENGTH = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    static VnetHeader read(byte[] b) {
        return new VnetHeader(b[0] & 0xFF, b[1] & 0xFF, le16(b, 2), le16(b, 4), le16(b, 6), le16(b, 8));
    }

    boolean needsChecksum() {
        return (flags & F_NEEDS_CSUM) != 0;
    }

    boolean isGso() {
        return (gsoType & ~GSO_ECN) != GSO_NONE;
    }

    /** The header for a frame written to the kernel whose checksums were verified ({@code CHECKSUM_UNNECESSARY}). */
    static void writeDataValid(byte[] b, int offset) {
        writeUnverified(b, offset);
        b[offset] = (byte) F_DATA_VALID;
    }

    /** The header for a complete frame whose checksums the kernel is to check itself ({@code CHECKSUM_NONE}). */
    static void writeUnverified(byte[] b, int offset) {
        for (int i = 0; i < LENGTH; i++) {
            b[offset + i] = 0;
        }
    }

    /**
     * The header for a TCP/IPv4 super-frame the kernel is to treat as TSO: segments of {@code gsoSize}
     * payload bytes after {@code headerLength} bytes of headers, the TCP checksum (whose field holds the
     * pseudo-header sum) completed from {@code csumStart}, the TCP header's offset.
     */
    static void writeTcp4Gso(byte[] b, int offset, int headerLength, int gsoSize, int csumStart) {
        b[offset] = (byte) F_NEEDS_CSUM;
        b[offset + 1] = (byte) GSO_TCPV4;
        putLe16(b, offset + 2, headerLength);
        putLe16(b, offset + 4, gsoSize);
        putLe16(b, offset + 6, csumStart);
        putLe16(b, offset + 8, 16);                  // the checksum's offset in the TCP header
    }

    private static void putLe16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
    }
}
