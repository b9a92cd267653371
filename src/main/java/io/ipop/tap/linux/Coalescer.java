package io.ipop.tap.linux;

/**
 * Userspace GRO, the inverse of {@link Segmenter}: joins consecutive TCP/IPv4 segments of one flow from
 * a burst of inbound frames into one super-frame that the kernel takes through {@code IFF_VNET_HDR} as a
 * TSO packet ({@code gso_type} TCPV4). The TCP stack behind the TAP then handles one large packet instead
 * of dozens, and the node makes one {@code write} instead of one per segment.
 *
 * <p>A segment continues the run if it is the next one of the same flow as the kernel's own GRO would
 * merge it (RFC 793 semantics; Linux {@code tcp_gro_receive}): same Ethernet header, IPv4 without options
 * or fragmentation with the same TOS, TTL, DF and addresses; same ports, acknowledgment, window and TCP
 * options; its sequence number follows the run; only ACK set (PSH allowed, and ends the run); its payload
 * no larger than the first's, every segment before it exactly as large (a shorter one ends the run).
 * Anything else (IPv6, other protocols, SYN/FIN/RST/URG/ECN, options) is written as it came.
 *
 * <p>Like a NIC's GRO, it vouches only for what it checked: a segment joins or opens a run only if its
 * IPv4 header checksum and its TCP checksum verify, as the super-frame's checksum is completed by the
 * kernel from the joined bytes ({@code NEEDS_CSUM}) and a run of one is marked {@code DATA_VALID}: the
 * receiving stack checks neither. A segment that fails is left to the caller, which writes it without
 * that mark, so the kernel checks it, drops it and counts it ({@code TcpInCsumErrors}). One extra read of
 * each segment, eight bytes at a time ({@link InetChecksum#add}); nothing allocated.
 *
 * <p>Not thread-safe: one per TAP writer.
 */
final class Coalescer {
    private static final int ETH = 14;
    private static final int IP = ETH;
    private static final int IPV4 = 0x0800;
    private static final int TCP = 6;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int MAX_IP_LENGTH = 65_535;
    /** Where the frame starts in {@link #buffer()}: after the vnet header. */
    private static final int FRAME = VnetHeader.LENGTH;

    private final byte[] out;
    /** Bytes of the frame in {@link #out} after the vnet header; 0 when no run is open. */
    private int length;
    private int segments;
    private int tcp;
    private int mss;
    private long nextSeq;
    /** The run takes no more segments (its last was short or carried PSH). */
    private boolean closed;

    /** {@code capacity}: the largest vnet header plus frame the caller writes. */
    Coalescer(int capacity) {
        this.out = new byte[Math.min(capacity, FRAME + ETH + MAX_IP_LENGTH)];
    }

    boolean isEmpty() {
        return length == 0;
    }

    /**
     * Opens a run with {@code b[off, off + len)}; false (nothing kept) if the frame can never be part of
     * one. Only when {@link #isEmpty()}.
     */
    boolean start(byte[] b, int off, int len) {
        int tcpAt = segmentTcp(b, off, len);
        if (tcpAt < 0 || FRAME + len > out.length || !checksumsVerify(b, off, len, tcpAt)) {
            return false;
        }
        System.arraycopy(b, off, out, FRAME, len);
        length = len;
        segments = 1;
        tcp = tcpAt;
        mss = len - tcpAt - tcpHeader(b, off + tcpAt);
        nextSeq = (seq(b, off + tcpAt) + mss) & 0xFFFF_FFFFL;
        closed = (b[off + tcpAt + 13] & PSH) != 0;
        return true;
    }

    /** Appends {@code b[off, off + len)} to the open run if it is its next segment; false (untouched) if not. */
    boolean append(byte[] b, int off, int len) {
        if (closed || length == 0 || segmentTcp(b, off, len) != tcp) {
            return false;
        }
        int f = FRAME;
        int th = tcpHeader(b, off + tcp);
        int headers = tcp + th;
        int payload = len - headers;
        if (payload > mss || th != tcpHeader(out, f + tcp) || seq(b, off + tcp) != nextSeq
                || FRAME + length + payload > out.length || length - ETH + payload > MAX_IP_LENGTH
                || !same(b, off, f, 0, ETH)                               // MACs and type
                || b[off + IP + 1] != out[f + IP + 1]                     // TOS
                || b[off + IP + 6] != out[f + IP + 6]                     // DF
                || b[off + IP + 8] != out[f + IP + 8]                     // TTL
                || !same(b, off, f, IP + 12, 8)                           // addresses
                || !same(b, off, f, tcp, 4)                               // ports
                || !same(b, off, f, tcp + 8, 4)                           // acknowledgment
                || !same(b, off, f, tcp + 14, 2)                          // window
                || !same(b, off, f, tcp + 20, th - 20)                    // options
                || !checksumsVerify(b, off, len, tcp)) {
            return false;
        }
        System.arraycopy(b, off + headers, out, f + length, payload);
        length += payload;
        segments++;
        nextSeq = (nextSeq + payload) & 0xFFFF_FFFFL;
        if ((b[off + tcp + 13] & PSH) != 0) {
            out[f + tcp + 13] |= PSH;
            closed = true;
        }
        closed |= payload < mss;
        return true;
    }

    /**
     * Closes the run: writes the vnet header and, for more than one segment, the super-frame's IPv4
     * length and checksum and the TCP pseudo-header sum the kernel completes (virtio {@code NEEDS_CSUM}).
     * Returns the bytes of {@link #buffer()} to write (header plus frame); the coalescer is empty after.
     */
    int finish() {
        int f = FRAME;
        int ipLength = length - ETH;
        if (segments == 1) {
            VnetHeader.writeDataValid(out, 0);                       // the segment as it came, checksums verified
        } else {
            InetChecksum.put(out, f + IP + 2, ipLength);
            InetChecksum.put(out, f + IP + 10, 0);
            InetChecksum.put(out, f + IP + 10, InetChecksum.finish(InetChecksum.add(0, out, f + IP, 20)));
            int tcpLength = ipLength - 20;
            long pseudo = InetChecksum.add(0, out, f + IP + 12, 8) + TCP + tcpLength;
            InetChecksum.put(out, f + tcp + 16, ~InetChecksum.finish(pseudo) & 0xFFFF);
            VnetHeader.writeTcp4Gso(out, 0, tcp + tcpHeader(out, f + tcp), mss, tcp);
        }
        int total = FRAME + length;
        length = 0;
        segments = 0;
        return total;
    }

    /** The vnet header and frame {@link #finish()} laid out; valid until the next call. */
    byte[] buffer() {
        return out;
    }

    /** Segments in the open run. */
    int segments() {
        return segments;
    }

    /**
     * The offset of the TCP header if {@code b[off, off + len)} is a TCP/IPv4 segment that may be merged
     * (no IP options or fragments, lengths consistent, a payload, only ACK or ACK|PSH set); else -1.
     */
    private static int segmentTcp(byte[] b, int off, int len) {
        if (len < ETH + 40 || InetChecksum.get(b, off + 12) != IPV4 || b[off + IP] != 0x45
                || (InetChecksum.get(b, off + IP + 6) & 0x3FFF) != 0 || (b[off + IP + 9] & 0xFF) != TCP
                || InetChecksum.get(b, off + IP + 2) != len - ETH) {
            return -1;
        }
        int tcpAt = IP + 20;
        int th = tcpHeader(b, off + tcpAt);
        int flags = b[off + tcpAt + 13] & 0xFF;
        if (th < 20 || tcpAt + th >= len || (flags & ~PSH) != ACK) {
            return -1;
        }
        return tcpAt;
    }

    /** Whether the IPv4 header's and the TCP checksum (over the pseudo-header) of a {@link #segmentTcp} segment verify. */
    private static boolean checksumsVerify(byte[] b, int off, int len, int tcpAt) {
        if (InetChecksum.finish(InetChecksum.add(0, b, off + IP, 20)) != 0) {
            return false;
        }
        int tcpLength = len - tcpAt;
        long pseudo = InetChecksum.add(0, b, off + IP + 12, 8) + TCP + tcpLength;
        return InetChecksum.finish(InetChecksum.add(pseudo, b, off + tcpAt, tcpLength)) == 0;
    }

    private static int tcpHeader(byte[] b, int at) {
        return ((b[at + 12] >> 4) & 0x0F) * 4;
    }

    private static long seq(byte[] b, int at) {
        return ((long) (b[at + 4] & 0xFF) << 24) | ((b[at + 5] & 0xFF) << 16) | ((b[at + 6] & 0xFF) << 8) | (b[at + 7] & 0xFF);
    }

    private boolean same(byte[] b, int off, int f, int at, int n) {
        for (int i = 0; i < n; i++) {
            if (b[off + at + i] != out[f + at + i]) {
                return false;
            }
        }
        return true;
    }
}
