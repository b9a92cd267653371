package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import java.time.Instant;

/**
 * Immutable state of one link as its {@link PeerSession} last published it.
 *
 * @param remote      what the peer said about itself, or {@code null} before it ever answered
 * @param rttNanos    last keepalive round trip, or {@code -1} if none yet
 * @param reason      why the link is in this state, in operator words
 * @param security    the link's security decision, or {@code null} before both sides decided
 * @param cipherSuite the DTLS cipher suite of a secure link that is up, else {@code null}
 * @param peerCertificate SHA-256 fingerprint of the peer's verified certificate, or {@code null}
 */
public record LinkSnapshot(LinkState state, Instant since, Endpoint endpoint, PeerInfo remote, long rttNanos,
                           String reason, SecurityDecision security, String cipherSuite, String peerCertificate) {

    static LinkSnapshot initial(Endpoint endpoint) {
        return new LinkSnapshot(LinkState.CONNECTING, Instant.now(), endpoint, null, -1, "starting", null, null, null);
    }

    LinkSnapshot withRtt(long nanos) {
        return new LinkSnapshot(state, since, endpoint, remote, nanos, reason, security, cipherSuite, peerCertificate);
    }

    LinkSnapshot withSecurity(SecurityDecision decision) {
        return new LinkSnapshot(state, since, endpoint, remote, rttNanos, reason, decision, cipherSuite, peerCertificate);
    }

    LinkSnapshot withReason(String why) {
        return new LinkSnapshot(state, since, endpoint, remote, rttNanos, why, security, cipherSuite, peerCertificate);
    }
}
