package io.ipop.counters;

/**
 * Every reason the data plane drops a datagram or frame, on its way outside -> inside (udp_receive,
 * classify, switch_in, tap_write) or inside -> outside (tap_read, switch_out, udp_send). Counted in
 * {@link DropCounters} and, for a frame of a known link, per link ({@code route.LinkCounters}, indexed by
 * {@link #ordinal()}). Some classify reasons are decided by the control plane's hooks on the inbound
 * thread (STUN, control budget, inbound admission); they are still data-plane drops.
 */
public enum DataDrop implements Drop {
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
    /** A member's con_req for a link this node does not keep: over the admission rate, refused by the hello check, or over the inbound cap of the topology. */
    TOPOLOGY_REFUSED("topology_refused", Stage.CLASSIFY),
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
    /**
     * Dropped by the outbound fair queue ({@code dataplane.fair-queue-bytes}) while it was full: the frame at
     * the head of the destination with the longest backlog.
     */
    QUEUE_FULL("queue_full", Stage.SWITCH_OUT),
    UDP_SEND_ERROR("udp_send_error", Stage.UDP_SEND),
    // multi-hop forwarding (FORWARD, docs/protocol.md "Multi-hop forwarding"): passed on or delivered here
    /** A FORWARD from an address that is no up direct (or relayed) link's endpoint: no open relay for off-path hosts. */
    FORWARD_UNLINKED("unlinked_source", Stage.FORWARD),
    /** A FORWARD whose envelope does not parse (cut short, bad names or trace, no valid inner datagram). */
    FORWARD_MALFORMED("malformed", Stage.FORWARD),
    /** A FORWARD that arrived with no hops left to take, or came back to its own source (a loop). */
    FORWARD_HOP_LIMIT("hop_limit", Stage.FORWARD),
    /** No up direct link leads strictly nearer the destination on the ring (a dead end), or no link at all. */
    FORWARD_NO_ROUTE("no_route", Stage.FORWARD),
    /** A FORWARD that would be longer than a UDP datagram can be. */
    FORWARD_TOO_BIG("too_big", Stage.FORWARD),
    /** A datagram for an overlay path whose peer this node does not know (no overlay session registered it). */
    FORWARD_UNKNOWN_PATH("unknown_path", Stage.FORWARD);

    private final String counter;
    private final Stage stage;

    DataDrop(String counter, Stage stage) {
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
