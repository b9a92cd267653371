package io.ipop.dataplane;

import io.ipop.frame.EthernetHeader;
import io.ipop.frame.MacAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outbound path's byte-fair queue: frames read from the TAP wait here, one lane per destination MAC
 * (all broadcast and multicast frames share one lane), and leave in deficit round robin order, so each
 * destination with frames waiting gets the same share of bytes of what the node can seal and send,
 * whatever its TCP window (docs/performance.md, "One node to three peers").
 *
 * <p>Flow: {@link #add} a burst read from the TAP (every frame joins the tail of its lane; while the
 * queue holds more than {@code capacityBytes}, the longest lane loses the frame at its head, counted by
 * the caller); {@link #next} takes up to {@code batch} frames, visiting the lanes in turn, each visit
 * worth {@link #QUANTUM} bytes more (deficit round robin, Shreedhar and Varghese 1995). A lane's frames
 * keep their order; frames of different lanes may overtake each other, as in any per-destination queue.
 *
 * <p>Why drop rather than push back: a full queue that stopped the TAP read would move the backlog into
 * the kernel's TAP queue, one FIFO for every destination, where a flow's share is its window. The drops
 * hit the destination with the longest backlog, as fq_codel's do, and TCP there slows down.
 *
 * <p>Not thread-safe: one stage of the outbound graph owns it.
 */
final class FairQueue {
    /** Bytes a lane may send per visit: more than the largest frame a TAP of MTU 9000 hands over. */
    static final int QUANTUM = 16_384;
    /** Smallest capacity: room for the largest frame a TAP hands over. */
    static final int MIN_CAPACITY = 65_536;
    /** Lanes kept for reuse; beyond it empty lanes are forgotten. */
    private static final int IDLE_LANES = 1024;
    private static final long GROUP = Long.MIN_VALUE;

    private static final class Lane {
        final long key;
        final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        long bytes;
        long deficit;
        boolean visiting;

        Lane(long key) {
            this.key = key;
        }
    }

    private final long capacityBytes;
    private final Map<Long, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> active = new ArrayDeque<>();
    private Lane last;
    private long bytes;
    private int frames;

    /** @param capacityBytes most bytes of frames held; at least one largest frame */
    FairQueue(long capacityBytes) {
        if (capacityBytes < MIN_CAPACITY) {
            throw new IllegalArgumentException("capacity below 64 KiB: " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    boolean isEmpty() {
        return frames == 0;
    }

    long bytes() {
        return bytes;
    }

    /** Queues {@code burst}; returns how many frames were dropped to stay within the capacity. */
    int add(List<byte[]> burst) {
        int dropped = 0;
        for (byte[] f : burst) {
            Lane lane = lane(key(f));
            if (lane.frames.isEmpty()) {
                active.addLast(lane);
            }
            lane.frames.addLast(f);
            lane.bytes += f.length;
            bytes += f.length;
            frames++;
            while (bytes > capacityBytes) {
                dropHeadOfLongest();
                dropped++;
            }
        }
        return dropped;
    }

    /** Up to {@code batch} frames in round robin order of their lanes, by bytes; empty if none wait. */
    List<byte[]> next(int batch) {
        List<byte[]> out = new ArrayList<>(Math.min(batch, frames));
        while (out.size() < batch && !active.isEmpty()) {
            Lane l = active.peekFirst();
            if (!l.visiting) {
                l.visiting = true;
                l.deficit += QUANTUM;
            }
            byte[] f = l.frames.peekFirst();
            if (f.length > l.deficit) {                // this visit is used up: to the back of the round
                l.visiting = false;
                active.addLast(active.pollFirst());
                continue;
            }
            l.frames.pollFirst();
            l.deficit -= f.length;
            take(l, f.length);
            out.add(f);
            if (l.frames.isEmpty()) {
                l.visiting = false;
                l.deficit = 0;                        // an idle lane saves no credit
                active.pollFirst();
            }
        }
        if (lanes.size() > IDLE_LANES && active.size() < IDLE_LANES / 2) {
            lanes.values().removeIf(l -> l.frames.isEmpty());
            last = null;
        }
        return out;
    }

    private void dropHeadOfLongest() {
        Lane longest = null;
        for (Lane l : active) {
            if (longest == null || l.bytes > longest.bytes) {
                longest = l;
            }
        }
        byte[] f = longest.frames.pollFirst();
        take(longest, f.length);
        if (longest.frames.isEmpty()) {
            longest.visiting = false;
            longest.deficit = 0;
            active.remove(longest);
        }
    }

    private void take(Lane l, int length) {
        l.bytes -= length;
        bytes -= length;
        frames--;
    }

    private Lane lane(long key) {
        Lane l = last;
        if (l != null && l.key == key) {
            return l;
        }
        l = lanes.computeIfAbsent(key, Lane::new);
        last = l;
        return l;
    }

    /** The destination MAC of a unicast frame; one key for every group address and for runt frames. */
    private static long key(byte[] f) {
        if (!EthernetHeader.fits(f.length)) {
            return GROUP;
        }
        long dst = EthernetHeader.destination(f, 0);
        return MacAddress.isGroup(dst) ? GROUP : dst;
    }
}
