package io.ipop.netns;

/** A kind of hostile datagram ({@link HostileCorpus}) and the counter of the target it must land in. */
enum HostileKind {
    /** 0..7 bytes: shorter than the header. */
    TRUNCATED("classify", "truncated"),
    /** Random bytes whose first byte is none of our types. */
    RANDOM_BYTES("classify", "unknown_type"),
    /** One of our types with a version other than 1. */
    BAD_VERSION("classify", "bad_version"),
    /** A control header followed by random bytes. */
    GARBAGE_CONTROL("classify", "malformed_control"),
    /** Control JSON that is broken, mistyped, out of range, deeply nested. */
    BROKEN_JSON("classify", "malformed_control"),
    /** A control frame over 4096 bytes. */
    OVERSIZED_CONTROL("classify", "malformed_control"),
    /** Well-formed control messages from a node the target does not know. */
    UNKNOWN_PEER("classify", "unknown_peer"),
    /** Data, sealed data and DTLS frames with a receiver index no link has (some oversized). */
    UNKNOWN_INDEX("classify", "unknown_index"),
    /** Sealed frames on the secure link's index that do not authenticate (some truncated). */
    FORGED_SEALED("classify", "auth_failed"),
    /** Sealed frames captured on the secure link, replayed verbatim. */
    REPLAYED_SEALED("classify", "replay"),
    /** Plaintext data frames on the secure link's index (downgrade). */
    PLAINTEXT_ON_SECURE("classify", "plaintext_on_secure_link"),
    /** Sealed frames on the plaintext link's index. */
    SECURE_ON_PLAINTEXT("classify", "secure_on_plaintext_link"),
    /**
     * Injected plaintext frames on the plaintext link's index, unicast to another MAC, up to 9000 bytes: from the
     * attacker's address, so refused before any frame check (docs/security.md, invariant 4).
     */
    NOT_FOR_US("classify", "wrong_address"),
    /** Injected plaintext frames on the plaintext link's index shorter than an Ethernet header, from the attacker's address. */
    SHORT_FRAME("classify", "wrong_address"),
    /** con_req as the known peer with its real certificate and a signature that does not verify. */
    BAD_SIGNATURE("link_setup", "bad_signature"),
    /** con_req as the known peer with a certificate from another CA (correctly self-consistent). */
    FOREIGN_CERTIFICATE("link_setup", "bad_certificate"),
    /** con_req as the known peer with a self-signed certificate whose issuer name is 300 characters long. */
    LONG_ISSUER_CERTIFICATE("link_setup", "bad_certificate"),
    /** con_req signed by the known peer's key, ten minutes old. */
    STALE_HELLO("link_setup", "stale"),
    /** con_req signed by the known peer's key, claiming another overlay address. */
    IDENTITY_MISMATCH("link_setup", "identity_mismatch"),
    /** con_req as the known peer without a certificate. */
    NO_CERTIFICATE("link_setup", "no_certificate"),
    /** con_req as the known peer speaking protocol version 2. */
    OTHER_PROTOCOL_VERSION("link_setup", "refused"),
    /** The known peer's captured con_req, replayed (refused as a replay, or as stale after 60 s). */
    REPLAYED_HELLO("link_setup", "replay"),
    /** DTLS records captured on the secure link, replayed on the up link once its handshake is over. */
    REPLAYED_DTLS("link_setup", "dtls_ignored"),
    /** ping, pong, close and con_rej in the known peer's name from the attacker's address. */
    FROM_ELSEWHERE("link_setup", "wrong_address"),
    /** con_resp in the known peer's name echoing a nonce the target never sent. */
    UNEXPECTED_RESPONSE("link_setup", "unexpected_response"),
    /** A DTLS ClientHello on the secure link's index, at the side that is the link's DTLS client. */
    CLIENT_HELLO_AT_CLIENT("link_setup", "dtls_ignored"),
    /** A DTLS ClientHello with a receiver index no link has. */
    CLIENT_HELLO_UNKNOWN_INDEX("classify", "unknown_index");

    final String stage;
    final String counter;

    HostileKind(String stage, String counter) {
        this.stage = stage;
        this.counter = counter;
    }

    /**
     * Whether the data plane hands these to the known peer's session, within that peer's control budget
     * (peer.ControlBudget): what is over it lands in {@code classify.control_over_budget} instead.
     */
    boolean budgeted() {
        return stage != null && stage.equals("link_setup");
    }
}
