package io.ipop.peer;

import java.util.ArrayDeque;
import java.util.Collection;

/**
 * A changed decision a linked session re-announces after a reload (docs/protocol.md, "Reload"): its
 * {@code con_req} is sent again with the link's backoff until the peer answers one of them with a
 * {@code con_resp}, because a single lost request would leave the peer deciding on stale groups or
 * certificate (a link plaintext that should now be secure). Any answer ends it: the peer's answer comes
 * after it decided again about this node. Only the nonces of the last {@value #KEPT} requests count.
 *
 * <p>Sans-IO and not thread-safe: one session's state.
 */
final class Announcement {
    static final int KEPT = 8;

    private final ArrayDeque<String> nonces = new ArrayDeque<>();
    private int attempt = -1;

    /** Starts (or restarts) an announcement: nothing sent yet. */
    void start() {
        nonces.clear();
        attempt = 0;
    }

    /** True while the peer has not answered an announcement. */
    boolean active() {
        return attempt >= 0;
    }

    /** The requests with {@code sent} (one per destination) went out; returns their attempt number (0-based) for the backoff. */
    int sent(Collection<String> sent) {
        for (String nonce : sent) {
            nonces.addLast(nonce);
            if (nonces.size() > KEPT) {
                nonces.removeFirst();
            }
        }
        return attempt++;
    }

    /** A {@code con_resp} echoing {@code echo} came from the link's peer: true if it answers the announcement, which ends. */
    boolean answered(String echo) {
        if (active() && echo != null && nonces.contains(echo)) {
            stop();
            return true;
        }
        return false;
    }

    /** The link was set up again or went down: nothing left to announce. */
    void stop() {
        nonces.clear();
        attempt = -1;
    }
}
