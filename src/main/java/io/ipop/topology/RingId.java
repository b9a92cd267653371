package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A node's position on the ring: the first 8 bytes of SHA-256 of its name (the name its certificate
 * certifies, when it has one), read as an unsigned 64-bit number. Every node computes every other node's
 * position from its name alone, so positions need no messages and cannot be chosen freely by a node
 * without also choosing its name. Distances are unsigned and wrap around 2^64.
 */
public record RingId(long bits) implements Comparable<RingId> {

    public static RingId of(PeerId node) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(node.name().getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return new RingId(v);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** How far {@code to} lies clockwise from this id (0 for itself), unsigned. */
    public long clockwiseTo(RingId to) {
        return to.bits - bits;
    }

    /** The shorter way round between this id and {@code other}, unsigned (at most 2^63). */
    public long distanceTo(RingId other) {
        long cw = clockwiseTo(other);
        long ccw = other.clockwiseTo(this);
        return Long.compareUnsigned(cw, ccw) <= 0 ? cw : ccw;
    }

    /** True if {@code a} is strictly nearer to this id than {@code b} (the shorter way round). */
    public boolean nearer(RingId a, RingId b) {
        return Long.compareUnsigned(distanceTo(a), distanceTo(b)) < 0;
    }

    /** Ordered by position on the ring, from 0 up. */
    @Override
    public int compareTo(RingId other) {
        return Long.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return String.format("%016x", bits);
    }
}
