package io.ipop.route;

import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;

/**
 * Where frames for one up link go, as the data plane sees it. Immutable.
 *
 * @param peer        peer node name
 * @param localIndex  receiver index we handed the peer: it marks frames arriving on this link
 * @param remoteIndex receiver index the peer handed us: we put it in frames we send
 * @param endpoint    the peer's underlay address
 * @param counters    the link's counters (shared, mutable, thread-safe)
 * @param cipher      the secure link's keys, or {@code null} for a plaintext link
 */
public record Route(String peer, int localIndex, int remoteIndex, Endpoint endpoint, LinkCounters counters,
                    LinkCipher cipher) {

    public boolean secure() {
        return cipher != null;
    }
}
