package io.ipop.node;

import java.time.Duration;

/**
 * {@code ipop.dataplane}: sizes of the stream buffers and batches, and of the L2 switch table.
 *
 * @param inboundBuffer  frames the inbound buffer holds (rounded up to whole batches)
 * @param outboundBuffer frames the outbound buffer holds (rounded up to whole batches)
 * @param batchSize      most frames one stream element carries (one read burst)
 */
public record DataplaneSettings(int inboundBuffer, int outboundBuffer, int batchSize, Duration macTtl, int macTableSize) {

    static DataplaneSettings read(ConfigReader c) {
        return new DataplaneSettings(
                c.intIn("inbound-buffer", 1, 65536),
                c.intIn("outbound-buffer", 1, 65536),
                c.intIn("batch-size", 1, 1024),
                c.positiveDuration("mac-ttl"),
                c.intIn("mac-table-size", 16, 1_000_000));
    }

    /** Batches the inbound buffer holds: enough for {@link #inboundBuffer} frames. */
    public int inboundBatches() {
        return Math.max(1, (inboundBuffer + batchSize - 1) / batchSize);
    }

    /** Batches the outbound buffer holds: enough for {@link #outboundBuffer} frames. */
    public int outboundBatches() {
        return Math.max(1, (outboundBuffer + batchSize - 1) / batchSize);
    }
}
