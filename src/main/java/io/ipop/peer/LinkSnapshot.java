package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import java.time.Instant;

/**
 * Immutable state of one link as its {@link PeerSession} last published it.
 *
 * @param remote   what the peer said about itself, or {@code null} before it ever answered
 * @param rttNanos last keepalive round trip, or {@code -1} if none yet
 * @param reason   why the link is in this state, in operator words
 */
public record LinkSnapshot(LinkState state, Instant since, Endpoint endpoint, PeerInfo remote, long rttNanos,
                           String reason) {

    LinkSnapshot withRtt(long nanos) {
        return new LinkSnapshot(state, since, endpoint, remote, nanos, reason);
    }
}
