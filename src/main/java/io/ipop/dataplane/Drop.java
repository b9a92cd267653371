package io.ipop.dataplane;

/**
 * Every reason the data plane drops a datagram or frame. Each is a named counter in
 * {@code GET /overlay/dataplane}; nothing is dropped without being counted here.
 */
public enum Drop {
    // inbound: outside -> inside
    TRUNCATED("truncated", Stage.CLASSIFY),
    UNKNOWN_TYPE("unknown_type", Stage.CLASSIFY),
    BAD_VERSION("bad_version", Stage.CLASSIFY),
    MALFORMED_CONTROL("malformed_control", Stage.CLASSIFY),
    UNKNOWN_PEER("unknown_peer", Stage.CLASSIFY),
    UNKNOWN_INDEX("unknown_index", Stage.CLASSIFY),
    AUTH_FAILED("auth_failed", Stage.CLASSIFY),
    REPLAY("replay", Stage.CLASSIFY),
    PLAINTEXT_ON_SECURE_LINK("plaintext_on_secure_link", Stage.CLASSIFY),
    SECURE_ON_PLAINTEXT_LINK("secure_on_plaintext_link", Stage.CLASSIFY),
    /** A known peer's control message or DTLS record over its budget (see peer.ControlBudget). */
    CONTROL_OVER_BUDGET("control_over_budget", Stage.CLASSIFY),
    /** A datagram shaped like STUN (RFC 8489) that does not parse. */
    STUN_MALFORMED("stun_malformed", Stage.CLASSIFY),
    /** A well-formed STUN message this node does not answer: not a Binding request, or a response to no transaction of ours. */
    STUN_UNEXPECTED("stun_unexpected", Stage.CLASSIFY),
    /** A Binding request over the node's answer rate (see nat.StunService). */
    STUN_OVER_BUDGET("stun_over_budget", Stage.CLASSIFY),
    /** A con_req from a node not in the peer list, not admitted (accept-inbound off, over rate or max-inbound, or refused by the hello check). */
    INBOUND_REFUSED("inbound_refused", Stage.CLASSIFY),
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
    /** Plaintext {@code DATA} with a link's receiver index from another address than the link's endpoint. */
    DATA_WRONG_ADDRESS("wrong_address", Stage.CLASSIFY),
    RECEIVE_ERROR("receive_error", Stage.UDP_RECEIVE),
    SHORT_FRAME_IN("short_frame", Stage.SWITCH_IN),
    NOT_FOR_US("not_for_us", Stage.SWITCH_IN),
    // identity: a frame must come from its link's peer as the peer (docs/security.md, invariant 1)
    /** Source MAC other than the link's peer's MAC. */
    SPOOFED_MAC("spoofed_mac", Stage.SWITCH_IN),
    /** IPv4 or IPv6 source the peer's identity does not cover. */
    SPOOFED_SOURCE("spoofed_source", Stage.SWITCH_IN),
    /** ARP whose sender MAC or IP is not the peer's. */
    SPOOFED_ARP("spoofed_arp", Stage.SWITCH_IN),
    /** IPv6 neighbor advertisement for an address the peer may not use, or a link-layer option not its MAC. */
    SPOOFED_NEIGHBOR("spoofed_neighbor", Stage.SWITCH_IN),
    /** IPv6 router advertisement or redirect from a peer whose certificate does not make it a router. */
    NOT_A_ROUTER("not_a_router", Stage.SWITCH_IN),
    /** A frame whose ARP, IPv4 or IPv6 header (or the header after it) is cut short or inconsistent. */
    MALFORMED_FRAME("malformed_frame", Stage.SWITCH_IN),
    /** Refused by the group firewall ({@code ipop.firewall}). */
    FIREWALL("firewall", Stage.SWITCH_IN),
    TAP_WRITE_ERROR("tap_write_error", Stage.TAP_WRITE),
    // outbound: inside -> outside
    TAP_READ_ERROR("tap_read_error", Stage.TAP_READ),
    SHORT_FRAME_OUT("short_frame", Stage.SWITCH_OUT),
    NO_LINK("no_link", Stage.SWITCH_OUT),
    /** Unicast to a MAC no up link's peer owns: never flooded (docs/security.md, invariant 3). */
    UNKNOWN_DESTINATION("unknown_destination", Stage.SWITCH_OUT),
    UDP_SEND_ERROR("udp_send_error", Stage.UDP_SEND);

    /** The data-plane stages, in flow order (see {@link Dataplane}). */
    public enum Stage {
        UDP_RECEIVE("udp_receive"), CLASSIFY("classify"), SWITCH_IN("switch_in"), TAP_WRITE("tap_write"),
        TAP_READ("tap_read"), SWITCH_OUT("switch_out"), UDP_SEND("udp_send"), LINK_SETUP("link_setup"),
        SIGNALING("signaling");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String counter;
    private final Stage stage;

    Drop(String counter, Stage stage) {
        this.counter = counter;
        this.stage = stage;
    }

    public String counter() {
        return counter;
    }

    public Stage stage() {
        return stage;
    }
}
