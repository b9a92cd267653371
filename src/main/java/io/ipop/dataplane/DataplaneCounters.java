package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.counters.DropCounters;
import io.ipop.wire.WireException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's drop counters (see {@link DropCounters}) and the data plane's own: datagrams and frames
 * through, fill of the two bounded buffers. Lock-free, shared by all stages.
 */
public final class DataplaneCounters extends DropCounters {
    private final AtomicLong inboundEntered = new AtomicLong();
    private final AtomicLong inboundLeft = new AtomicLong();
    private final AtomicLong outboundEntered = new AtomicLong();
    private final AtomicLong outboundLeft = new AtomicLong();
    private final AtomicLong datagramsIn = new AtomicLong();
    private final AtomicLong framesFromTap = new AtomicLong();
    private final AtomicLong framesToTap = new AtomicLong();
    private final AtomicLong tapWrites = new AtomicLong();

    public void drop(WireException.Reason reason) {
        drop(switch (reason) {
            case TRUNCATED -> DataDrop.TRUNCATED;
            case UNKNOWN_TYPE -> DataDrop.UNKNOWN_TYPE;
            case BAD_VERSION -> DataDrop.BAD_VERSION;
            case MALFORMED_CONTROL -> DataDrop.MALFORMED_CONTROL;
        });
    }

    /** {@code n} datagrams read from the underlay socket (counted before anything is done with them). */
    void datagramsIn(int n) {
        datagramsIn.addAndGet(n);
    }

    void frameFromTap() {
        framesFromTap.incrementAndGet();
    }

    /** {@code n} frames read from the TAP and dropped by the outbound fair queue before the switch. */
    void fairQueueDropped(int n) {
        framesFromTap.addAndGet(n);
        drop(DataDrop.QUEUE_FULL, n);
    }

    public long datagramsIn() {
        return datagramsIn.get();
    }

    public long framesFromTap() {
        return framesFromTap.get();
    }

    void toTap(int frames, int writes) {
        framesToTap.addAndGet(frames);
        tapWrites.addAndGet(writes);
    }

    /** Frames handed to the TAP device (written or failed). */
    public long framesToTap() {
        return framesToTap.get();
    }

    /** Write system calls those took: fewer than frames when TCP segments are joined (offloads on). */
    public long tapWrites() {
        return tapWrites.get();
    }

    void inboundEntered(int frames) {
        inboundEntered.addAndGet(frames);
    }

    void inboundLeft(int frames) {
        inboundLeft.addAndGet(frames);
    }

    void outboundEntered(int frames) {
        outboundEntered.addAndGet(frames);
    }

    void outboundLeft(int frames) {
        outboundLeft.addAndGet(frames);
    }

    /** Frames between the switch and the TAP write: in the inbound buffer or the boundary's input buffer. */
    public long inboundFill() {
        return Math.max(0, inboundEntered.get() - inboundLeft.get());
    }

    /** Datagrams between the switch and the UDP send. */
    public long outboundFill() {
        return Math.max(0, outboundEntered.get() - outboundLeft.get());
    }
}
