package io.ipop.peer;

import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.util.function.Supplier;

/**
 * How a {@link PeerSession} sends its link setup to a peer through a rendezvous, for two nodes that
 * cannot reach each other yet (docs/nat.md): the rendezvous passes the hello on unchanged, and the peer
 * takes it as signaling only ({@link PeerSession.Signaled}). Implemented by {@code nat.RendezvousSignaling}.
 * Thread-safe: every session calls it from its own actor.
 */
@FunctionalInterface
public interface Signaling {

    /**
     * Sends a hello for {@code peer} through each rendezvous that forwards link setup and has an up link
     * with this node (never through {@code peer} itself). {@code hello} is asked at most once, and only
     * if there is such a rendezvous, so no signature is spent for nothing.
     */
    void forward(PeerId peer, Supplier<? extends Hello> hello);

    /**
     * True if a {@link #forward} for {@code peer} would go out now: a rendezvous that forwards has an up link with
     * this node, and it is not {@code peer} itself. A session that can signal opens its NAT toward the peer's
     * candidates before it signals, and probes them in full only once the peer has signaled back ({@code Probes}).
     */
    default boolean canForward(PeerId peer) {
        return false;
    }

    /** No rendezvous: nothing is forwarded. */
    Signaling NONE = (peer, hello) -> { };
}
