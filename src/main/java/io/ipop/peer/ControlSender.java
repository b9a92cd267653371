package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;

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
}
