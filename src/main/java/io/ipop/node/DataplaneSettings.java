package io.ipop.node;

import java.time.Duration;

/** {@code ipop.dataplane}: sizes of the stream buffers and the L2 switch table. */
public record DataplaneSettings(int inboundBuffer, int outboundBuffer, Duration macTtl, int macTableSize) {

    static DataplaneSettings read(ConfigReader c) {
        return new DataplaneSettings(
                c.intIn("inbound-buffer", 1, 65536),
                c.intIn("outbound-buffer", 1, 65536),
                c.positiveDuration("mac-ttl"),
                c.intIn("mac-table-size", 16, 1_000_000));
    }
}
