package io.ipop.wire;

/**
 * The first byte of every ipop-node datagram.
 *
 * <p>Values are chosen outside the ranges RFC 7983 assigns to STUN (0-3) and DTLS (20-63), so a later
 * STUN responder or raw DTLS can share the underlay port and be told apart by the first byte alone.
 */
public enum FrameType {
    /** JSON control message: {@code con_req}, {@code con_resp}, {@code con_rej}, {@code ping}, {@code pong}, {@code close}. */
    CONTROL(0xA1),
    /** One plaintext Ethernet frame for the receiver's TAP. */
    DATA(0xA2),
    /** DTLS 1.2 handshake records of a secure link being set up. */
    DTLS(0xA3),
    /** One Ethernet frame sealed with the secure link's AES-GCM keys (see secure.SecureChannel). */
    SECURE_DATA(0xA4),
    /**
     * An envelope toward a node this one has no direct link to: hop limit, destination and source node names,
     * and the inner datagram (one of the four above) exactly as the source would send it on a direct link.
     * Forwarded unchanged but for the hop limit (see {@link Forward}).
     */
    FORWARD(0xA5);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a first byte, or {@code null} if it is not one of ours. */
    public static FrameType of(int firstByte) {
        return switch (firstByte & 0xFF) {
            case 0xA1 -> CONTROL;
            case 0xA2 -> DATA;
            case 0xA3 -> DTLS;
            case 0xA4 -> SECURE_DATA;
            case 0xA5 -> FORWARD;
            default -> null;
        };
    }
}
