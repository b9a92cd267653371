package io.ipop.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The FORWARD envelope (type {@code 0xA5}, docs/protocol.md "Multi-hop forwarding"): a datagram for a node
 * the sender has no direct link to, passed on greedily along the ring by nodes in between.
 *
 * <pre>
 *  0      1      2       3       4 .. 11             12     13 ..      .      .         .          .
 * +------+------+-------+-------+-------------------+------+---------+------+---------+----------+-----------------+
 * | 0xA5 | ver  | hops  | trace | destination's ring| dlen | dst name| slen | src name| trace    | inner datagram  |
 * |      | (1)  | left  | count | position (u64 BE) | (u8) |         | (u8) |         | entries  | (CONTROL, DTLS, |
 * +------+------+-------+-------+-------------------+------+---------+------+---------+----------+  DATA, SECURE_DATA)
 *                                                            trace entry = len (u8) + node name
 * </pre>
 *
 * <ul>
 *   <li>The inner datagram is exactly what the source would send the destination on a direct link, header
 *       included; never another FORWARD.</li>
 *   <li>A node in between changes byte 2 only (one hop less), except for an inner CONTROL datagram, where it
 *       also appends its own name to the trace (at most {@link #MAX_TRACE} names): the destination learns which
 *       nodes carried the link setup to it (the {@code via} of {@code path = "overlay(via=...)"}).</li>
 *   <li>Names are node names (1-{@value Limits#MAX_TOKEN} bytes); the ring position is the destination's
 *       ({@code topology.RingId}), so a node in between routes without hashing.</li>
 * </ul>
 * Not thread-safe: a {@link View} belongs to one thread.
 */
public final class Forward {
    /** Hops a FORWARD may take past its source: nodes in between, each lowering byte 2 by one. */
    public static final int HOP_LIMIT = 32;
    /** Names of nodes in between kept in the trace of a CONTROL datagram; later ones are not added. */
    public static final int MAX_TRACE = 8;
    /** The largest FORWARD datagram a node sends or passes on (UDP over IPv4 takes at most 65,507 bytes). */
    public static final int MAX_LENGTH = 65_507;

    private static final int HOPS = 2;
    private static final int TRACE_COUNT = 3;
    private static final int RING = 4;
    private static final int NAMES = 12;

    private Forward() {
    }

    /**
     * The envelope's fixed part toward {@code destination} (at ring position {@code destinationRing}) from
     * {@code source}: everything before the inner datagram, hop limit 0 and no trace ({@link #wrap} sets the hops).
     */
    public static byte[] prefix(PeerId destination, long destinationRing, PeerId source) {
        byte[] dst = destination.name().getBytes(StandardCharsets.US_ASCII);
        byte[] src = source.name().getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[NAMES + 1 + dst.length + 1 + src.length];
        p[0] = (byte) FrameType.FORWARD.code();
        p[1] = (byte) FrameHeader.VERSION;
        for (int i = 0; i < 8; i++) {
            p[RING + i] = (byte) (destinationRing >>> (56 - 8 * i));
        }
        p[NAMES] = (byte) dst.length;
        System.arraycopy(dst, 0, p, NAMES + 1, dst.length);
        p[NAMES + 1 + dst.length] = (byte) src.length;
        System.arraycopy(src, 0, p, NAMES + 2 + dst.length, src.length);
        return p;
    }

    /** A new FORWARD datagram: {@code prefix}, {@code hops} left, then {@code inner[offset, offset+length)}. */
    public static byte[] wrap(byte[] prefix, int hops, byte[] inner, int offset, int length) {
        byte[] out = new byte[prefix.length + length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        out[HOPS] = (byte) hops;
        System.arraycopy(inner, offset, out, prefix.length, length);
        return out;
    }

    /** Sets the hops left of a parsed FORWARD datagram in place (the one change a node in between makes). */
    public static void hops(byte[] datagram, int hops) {
        datagram[HOPS] = (byte) hops;
    }

    /**
     * {@code datagram} with {@code name} appended to its trace (a new array), for an inner CONTROL datagram; the
     * same array if the trace is full.
     */
    public static byte[] traced(byte[] datagram, View v, byte[] name) {
        if (v.traceCount >= MAX_TRACE) {
            return datagram;
        }
        byte[] out = new byte[v.length + 1 + name.length];
        System.arraycopy(datagram, 0, out, 0, v.innerAt);
        out[v.innerAt] = (byte) name.length;
        System.arraycopy(name, 0, out, v.innerAt + 1, name.length);
        System.arraycopy(datagram, v.innerAt, out, v.innerAt + 1 + name.length, v.length - v.innerAt);
        out[TRACE_COUNT] = (byte) (v.traceCount + 1);
        return out;
    }

    /** Where the parts of one FORWARD datagram lie; {@link #parse} fills it without allocating. */
    public static final class View {
        public int length;
        public int hops;
        public int traceCount;
        public long destinationRing;
        public int destinationAt;
        public int destinationLength;
        public int sourceAt;
        public int sourceLength;
        public int traceAt;
        public int innerAt;

        /**
         * Reads the envelope of {@code datagram[0, length)}. False if it is malformed: cut short, a name of 0
         * or more than {@value Limits#MAX_TOKEN} bytes, a trace longer than {@link #MAX_TRACE}, or an inner
         * datagram that is shorter than a header, of an unknown type, or itself a FORWARD.
         */
        public boolean parse(byte[] datagram, int length) {
            this.length = length;
            if (length < NAMES + 1 || (datagram[0] & 0xFF) != FrameType.FORWARD.code()) {
                return false;
            }
            hops = datagram[HOPS] & 0xFF;
            traceCount = datagram[TRACE_COUNT] & 0xFF;
            long ring = 0;
            for (int i = 0; i < 8; i++) {
                ring = (ring << 8) | (datagram[RING + i] & 0xFF);
            }
            destinationRing = ring;
            destinationLength = datagram[NAMES] & 0xFF;
            destinationAt = NAMES + 1;
            if (!nameFits(destinationLength, destinationAt, length) || destinationAt + destinationLength >= length) {
                return false;
            }
            sourceLength = datagram[destinationAt + destinationLength] & 0xFF;
            sourceAt = destinationAt + destinationLength + 1;
            if (!nameFits(sourceLength, sourceAt, length) || traceCount > MAX_TRACE) {
                return false;
            }
            traceAt = sourceAt + sourceLength;
            int at = traceAt;
            for (int i = 0; i < traceCount; i++) {
                if (at >= length) {
                    return false;
                }
                int n = datagram[at] & 0xFF;
                if (!nameFits(n, at + 1, length)) {
                    return false;
                }
                at += 1 + n;
            }
            innerAt = at;
            if (length - innerAt < FrameHeader.LENGTH) {
                return false;
            }
            FrameType inner = FrameType.of(datagram[innerAt]);
            return inner != null && inner != FrameType.FORWARD && (datagram[innerAt + 1] & 0xFF) == FrameHeader.VERSION;
        }

        private static boolean nameFits(int n, int at, int length) {
            return n >= 1 && n <= Limits.MAX_TOKEN && at + n <= length;
        }

        /** True if the destination's name is {@code name} (ASCII bytes). */
        public boolean destinationIs(byte[] datagram, byte[] name) {
            return equal(datagram, destinationAt, destinationLength, name);
        }

        /** True if the source's name is {@code name} (ASCII bytes). */
        public boolean sourceIs(byte[] datagram, byte[] name) {
            return equal(datagram, sourceAt, sourceLength, name);
        }

        /** The inner datagram's type (parse checked it is one of the four). */
        public FrameType innerType(byte[] datagram) {
            return FrameType.of(datagram[innerAt]);
        }

        /** The source's name, or null if it is not a valid node name. */
        public PeerId source(byte[] datagram) {
            return peer(datagram, sourceAt, sourceLength);
        }

        /** The trace's names, in the order the nodes in between added them; invalid names are left out. */
        public List<PeerId> trace(byte[] datagram) {
            List<PeerId> out = new ArrayList<>(traceCount);
            int at = traceAt;
            for (int i = 0; i < traceCount; i++) {
                int n = datagram[at] & 0xFF;
                PeerId p = peer(datagram, at + 1, n);
                if (p != null) {
                    out.add(p);
                }
                at += 1 + n;
            }
            return out;
        }

        private static PeerId peer(byte[] b, int at, int n) {
            String name = new String(b, at, n, StandardCharsets.US_ASCII);
            return Limits.isToken(name) ? PeerId.of(name) : null;
        }

        private static boolean equal(byte[] b, int at, int n, byte[] name) {
            if (n != name.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (b[at + i] != name[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
