package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import java.net.InetAddress;

/**
 * Where link setup sends: the node's socket ({@link ControlChannel}) for the session, or the
 * {@link LinkMachine}'s list of effects, so the rules beside it ({@link Probes}, {@link Refusals},
 * {@link Rekeying}) say what to send without sending it.
 */
public interface ControlSender {

    void send(ControlMessage message, Endpoint to);

    /** Sends DTLS record bytes in a DTLS frame carrying the peer's receiver index. */
    void sendDtls(byte[] record, int remoteIndex, Endpoint to);

    /** Sends a complete datagram (e.g. a sealed keepalive). */
    void sendRaw(byte[] datagram, Endpoint to);

    /** True if {@link #sendLimited} can set one datagram's IP TTL here (the underlay can). */
    default boolean limitsTtl() {
        return false;
    }

    /**
     * Sends {@code message} with an IP TTL of {@code ttl}, this datagram only (NAT openers, docs/nat.md); nothing
     * if {@link #limitsTtl} is false.
     */
    default void sendLimited(ControlMessage message, Endpoint to, int ttl) {
    }

    /**
     * Birthday probing, hard side (docs/nat.md): opens the extra sockets and sends {@code opener} from each toward
     * {@code toward} with the openers' TTLs. False if none were opened (no extra sockets here, or a pool is open).
     */
    default boolean openBirthday(ControlMessage opener, Endpoint toward) {
        return false;
    }

    /** Birthday probing, easy side: {@code guess} to each of {@code ports} at {@code at}, at a bounded rate. */
    default boolean sprayBirthday(ControlMessage guess, InetAddress at, int[] ports) {
        return false;
    }

    /** The link to {@code to} closed or moved: the socket birthday probing found for it, if any, closes. */
    default void releaseBirthday(Endpoint to) {
    }

    /** True if the traffic to {@code to} leaves through a socket birthday probing found. */
    default boolean viaBirthday(Endpoint to) {
        return false;
    }
}
