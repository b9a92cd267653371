package io.ipop.peer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Outcomes of one link's setups, counted by its {@link PeerSession} and read by the metrics at scrape
 * time. Never touched by the data plane. Lock-free.
 */
public final class SetupCounters {
    private final AtomicLong linksUp = new AtomicLong();
    private final AtomicLong handshakesOk = new AtomicLong();
    private final AtomicLong handshakesFailed = new AtomicLong();
    private final AtomicLong distrusted = new AtomicLong();

    void linkUp() {
        linksUp.incrementAndGet();
    }

    void handshakeOk() {
        handshakesOk.incrementAndGet();
    }

    void handshakeFailed() {
        handshakesFailed.incrementAndGet();
    }

    void linkDistrusted() {
        distrusted.incrementAndGet();
    }

    /** Times a live link was closed because the peer's certificate no longer stood (revoked, expired, other CA). */
    public long distrusted() {
        return distrusted.get();
    }

    /** Times the link came up (plaintext agreed or DTLS done). */
    public long linksUp() {
        return linksUp.get();
    }

    /** DTLS handshakes that completed. */
    public long handshakesOk() {
        return handshakesOk.get();
    }

    /** DTLS handshakes that failed or timed out (each is also a {@code link_setup.dtls_failed} drop). */
    public long handshakesFailed() {
        return handshakesFailed.get();
    }
}
