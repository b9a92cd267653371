package io.ipop.counters;

/**
 * Every reason the control plane refuses a link-setup or signaling message: hellos refused by a peer
 * session (see peer.HelloCheck), unexpected answers, DTLS records it ignores, and link setup forwarded
 * through a rendezvous (see nat.SignalForwarder, nat.RendezvousSignaling). Counted in {@link DropCounters}.
 */
public enum SetupDrop implements Drop {
    // link setup: hellos refused by a peer session (see peer.HelloCheck)
    HELLO_REFUSED("refused", Stage.LINK_SETUP),
    HELLO_NO_CERTIFICATE("no_certificate", Stage.LINK_SETUP),
    HELLO_BAD_CERTIFICATE("bad_certificate", Stage.LINK_SETUP),
    HELLO_BAD_SIGNATURE("bad_signature", Stage.LINK_SETUP),
    HELLO_IDENTITY_MISMATCH("identity_mismatch", Stage.LINK_SETUP),
    HELLO_STALE("stale", Stage.LINK_SETUP),
    HELLO_REPLAY("replay", Stage.LINK_SETUP),
    HELLO_MISADDRESSED("misaddressed", Stage.LINK_SETUP),
    HELLO_REVOKED("revoked", Stage.LINK_SETUP),
    /**
     * A verified hello from an address that is not the link's proven endpoint, which would have set the link's
     * endpoint or set it up again: not acted on until that address answers a challenge (path validation).
     */
    HELLO_UNPROVEN_PATH("unproven_path", Stage.LINK_SETUP),
    /** A verified hello older than the one the link was set up with, that would have set it up again. */
    HELLO_SUPERSEDED("superseded", Stage.LINK_SETUP),
    /** A con_resp echoing no con_req this session sent (stale, or forged). */
    UNEXPECTED_RESPONSE("unexpected_response", Stage.LINK_SETUP),
    /** An unauthenticated ping, pong, close or con_rej in a peer's name from an address other than its link's. */
    WRONG_ADDRESS("wrong_address", Stage.LINK_SETUP),
    DTLS_IGNORED("dtls_ignored", Stage.LINK_SETUP),
    DTLS_FAILED("dtls_failed", Stage.LINK_SETUP),
    // signaling: link setup forwarded through a rendezvous (see nat.SignalForwarder, nat.RendezvousSignaling)
    /** A {@code fwd} from a node without an up link, or not from its link's endpoint. */
    SIGNAL_NOT_FROM_LINK("not_from_link", Stage.SIGNALING),
    /** At a rendezvous: a {@code fwd} for a node it has no link with (or for the sender or itself). */
    SIGNAL_UNKNOWN_TARGET("unknown_target", Stage.SIGNALING),
    /** At a rendezvous: a {@code fwd} for a node whose link is not up. */
    SIGNAL_TARGET_NOT_LINKED("target_not_linked", Stage.SIGNALING),
    /** Over the forwarding budget (per sender at a rendezvous, per rendezvous at a receiver). */
    SIGNAL_OVER_BUDGET("over_budget", Stage.SIGNALING),
    /** A hello that no longer fits one control frame once wrapped in a {@code fwd}. */
    SIGNAL_TOO_LARGE("too_large", Stage.SIGNALING),
    /** A {@code fwd} this node does not take: it forwards for no one, or the sender is not its rendezvous, or it cannot follow one more peer. */
    SIGNAL_REFUSED("refused", Stage.SIGNALING),
    /**
     * A peer's request for birthday probing (docs/nat.md) not followed: probing is off here, this node is behind a
     * symmetric NAT itself, the request names no public address, or the pair's budget (one per attempt-interval) is
     * spent.
     */
    BIRTHDAY_DECLINED("birthday_declined", Stage.SIGNALING);

    private final String counter;
    private final Stage stage;

    SetupDrop(String counter, Stage stage) {
        this.counter = counter;
        this.stage = stage;
    }

    @Override
    public String counter() {
        return counter;
    }

    @Override
    public Stage stage() {
        return stage;
    }
}
