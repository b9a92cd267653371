package io.ipop.route;

import io.ipop.frame.FrameView;
import java.util.Arrays;

/**
 * The flows this node started over one link, so that their replies pass the firewall: TCP and UDP by
 * (protocol, local port, remote port, remote address), ICMP and ICMPv6 echo by identifier. Bounded:
 * open addressing in fixed arrays, entries expire after the timeout; when it is full (after sweeping
 * out expired entries, at most once a second) a new flow is not tracked and counted in {@link #full}.
 *
 * <p>A remote IPv6 address enters the key folded to 64 bits; two addresses of the same peer that fold
 * alike share an entry, which only ever widens what that same peer may answer to.
 *
 * <p>Thread-safe: the outbound thread tracks, the inbound thread asks; both take the table's lock
 * (uncontended in the common case, and refreshes of a live entry write at most once a second).
 */
public final class FlowTable {
    private static final long SECOND = 1_000_000_000L;
    /** Most flows one link's table holds. */
    public static final int CAPACITY = 4096;
    /** How long a flow stays open without a packet out. */
    public static final long TIMEOUT_NANOS = 300 * SECOND;

    private final int slots;
    /** Allocated on the first tracked flow: a node without firewall rules never needs them. */
    private long[] keyA;
    private long[] keyB;
    private long[] seen;
    private final int mask;
    private final long timeoutNanos;
    private int size;
    private long full;
    private long lastSweep;

    /** A table of {@link #CAPACITY} flows that time out after {@link #TIMEOUT_NANOS}. */
    public FlowTable() {
        this(CAPACITY, TIMEOUT_NANOS);
    }

    /** @param capacity most flows held (at least 8) */
    public FlowTable(int capacity, long timeoutNanos) {
        this.slots = Integer.highestOneBit(Math.max(8, capacity) * 2 - 1) << 1;   // at most half full
        this.mask = slots - 1;
        this.timeoutNanos = timeoutNanos;
    }

    /** Records the flow of an outbound packet already parsed into {@code v}; other packets are ignored. */
    public synchronized void track(FrameView v, long now) {
        long a = outboundKey(v);
        if (a == 0) {
            return;
        }
        long b = remote(v, true);
        if (keyA == null) {
            keyA = new long[slots];
            keyB = new long[slots];
            seen = new long[slots];
        }
        int slot = find(a, b);
        if (slot >= 0) {
            if (now - seen[slot] >= SECOND) {
                seen[slot] = now;
            }
            return;
        }
        if (size * 2 >= keyA.length && !sweep(now)) {
            full++;
            return;
        }
        insert(a, b, now);
    }

    /** True if the inbound packet in {@code v} answers a live flow this node started. */
    public synchronized boolean isReply(FrameView v, long now) {
        long a = inboundKey(v);
        if (a == 0 || keyA == null) {
            return false;
        }
        int slot = find(a, remote(v, false));
        return slot >= 0 && now - seen[slot] <= timeoutNanos;
    }

    public synchronized int size() {
        return size;
    }

    /** New flows not tracked because the table was full. */
    public synchronized long full() {
        return full;
    }

    /** (protocol, local id, remote id) of an outbound packet; 0 for one that starts no trackable flow. */
    private static long outboundKey(FrameView v) {
        if (v.hasPorts) {
            return key(v.protocol, v.srcPort, v.dstPort);
        }
        boolean echoRequest = v.protocol == FrameView.PROTO_ICMP ? v.icmpType == 8
                : v.protocol == FrameView.PROTO_ICMPV6 && v.icmpType == 128;
        return echoRequest ? key(v.protocol, v.icmpId, 0) : 0;
    }

    private static long inboundKey(FrameView v) {
        if (v.hasPorts) {
            return key(v.protocol, v.dstPort, v.srcPort);
        }
        boolean echoReply = v.protocol == FrameView.PROTO_ICMP ? v.icmpType == 0
                : v.protocol == FrameView.PROTO_ICMPV6 && v.icmpType == 129;
        return echoReply ? key(v.protocol, v.icmpId, 0) : 0;
    }

    private static long key(int protocol, int local, int remote) {
        return (1L << 56) | ((long) protocol << 40) | ((long) local << 16) | remote;
    }

    private static long remote(FrameView v, boolean outbound) {
        if (v.kind == FrameView.Kind.IPV4) {
            return (outbound ? v.v4Dst : v.v4Src) & 0xFFFF_FFFFL;
        }
        long hi = outbound ? v.v6DstHi : v.v6SrcHi;
        long lo = outbound ? v.v6DstLo : v.v6SrcLo;
        return (hi * 0x9E37_79B9_7F4A_7C15L) ^ lo ^ (1L << 63);
    }

    private int find(long a, long b) {
        for (int i = hash(a, b), n = 0; n <= mask; i = (i + 1) & mask, n++) {
            if (keyA[i] == 0) {
                return -1;
            }
            if (keyA[i] == a && keyB[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void insert(long a, long b, long now) {
        int i = hash(a, b);
        while (keyA[i] != 0) {
            i = (i + 1) & mask;
        }
        keyA[i] = a;
        keyB[i] = b;
        seen[i] = now;
        size++;
    }

    private int hash(long a, long b) {
        long h = (a ^ (b * 0xC2B2_AE3D_27D4_EB4FL)) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Rebuilds the table without expired entries; at most once a second. True if there is room now. */
    private boolean sweep(long now) {
        if (lastSweep != 0 && now - lastSweep < SECOND) {
            return false;
        }
        lastSweep = now == 0 ? 1 : now;
        long[] a = keyA.clone();
        long[] b = keyB.clone();
        long[] s = seen.clone();
        Arrays.fill(keyA, 0);
        size = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 0 && now - s[i] <= timeoutNanos) {
                insert(a[i], b[i], s[i]);
            }
        }
        return size * 2 < keyA.length;
    }
}
