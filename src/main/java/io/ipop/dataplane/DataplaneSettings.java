package io.ipop.dataplane;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;

/**
 * {@code ipop.dataplane}: sizes of the stream buffers and batches.
 *
 * @param inboundBuffer  frames the inbound buffer holds (rounded up to whole batches, see {@link #inboundBatches})
 * @param outboundBuffer frames the outbound buffer holds (rounded up likewise)
 * @param batchSize      most frames one stream element carries (one read burst)
 * @param warmUpFrames   synthetic frames run through the data path in memory at start ({@link Warmup}); 0: none
 * @param fairQueueBytes bytes of frames the outbound fair queue ({@link FairQueue}) holds; 0: no fair queue
 */
public record DataplaneSettings(int inboundBuffer, int outboundBuffer, int batchSize, int warmUpFrames,
                                int fairQueueBytes) {
    /**
     * {@code fair-queue-bytes} of reference.conf: 8 MiB, room for the windows of a few TCP flows, so they wait
     * here, in their lanes, rather than lose frames (2 MiB lost 30,000 frames a run; docs/performance.md).
     */
    public static final int DEFAULT_FAIR_QUEUE_BYTES = 8 << 20;
    /** {@code warm-up-frames} of reference.conf. */
    public static final int DEFAULT_WARM_UP_FRAMES = 100_000;

    /** Settings with the default warm-up. */
    public DataplaneSettings(int inboundBuffer, int outboundBuffer, int batchSize) {
        this(inboundBuffer, outboundBuffer, batchSize, DEFAULT_WARM_UP_FRAMES, DEFAULT_FAIR_QUEUE_BYTES);
    }

    public static DataplaneSettings read(ConfigReader c) {
        return new DataplaneSettings(
                c.intIn("inbound-buffer", 1, 65536),
                c.intIn("outbound-buffer", 1, 65536),
                c.intIn("batch-size", 1, 1024),
                c.intIn("warm-up-frames", 0, 10_000_000),
                fairQueueBytes(c));
    }

    private static int fairQueueBytes(ConfigReader c) {
        long bytes = c.bytesIn("fair-queue-bytes", 0, 1 << 28);
        if (bytes != 0 && bytes < FairQueue.MIN_CAPACITY) {
            throw new ConfigProblem(c.path("fair-queue-bytes"),
                    bytes + " bytes: must be 0 (no fair queue) or at least " + FairQueue.MIN_CAPACITY + " (64KiB)");
        }
        return (int) bytes;
    }

    /**
     * Batches the inbound buffer holds: enough for {@link #inboundBuffer} frames, rounded up to a power
     * of two (the buffer is the input buffer of a Pekko async boundary, whose size must be one).
     */
    public int inboundBatches() {
        return batchesFor(inboundBuffer);
    }

    /** Batches the outbound buffer holds, like {@link #inboundBatches}. */
    public int outboundBatches() {
        return batchesFor(outboundBuffer);
    }

    private int batchesFor(int frames) {
        int batches = Math.max(1, (frames + batchSize - 1) / batchSize);
        int power = Integer.highestOneBit(batches);
        return power == batches ? batches : power << 1;
    }
}
