package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the control plane sends: encodes a control message and sends it on the node's one socket.
 * Control traffic is a few datagrams a second per link, so it bypasses the outbound stream.
 * Thread-safe. A failed send is logged, never thrown: the link's retry and keepalive logic recovers.
 */
public final class ControlChannel {
    private static final Logger log = LoggerFactory.getLogger(ControlChannel.class);
    private final Underlay underlay;
    private final ControlCodec codec;

    public ControlChannel(Underlay underlay, ControlCodec codec) {
        this.underlay = underlay;
        this.codec = codec;
    }

    public void send(ControlMessage message, Endpoint to) {
        byte[] frame = codec.encode(message);
        try {
            underlay.send(frame, 0, frame.length, to);
        } catch (IOException e) {
            log.debug("sending {} to {} failed: {}", message.getClass().getSimpleName(), to, e.getMessage());
        }
    }
}
