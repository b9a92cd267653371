package io.ipop.dataplane;

import io.ipop.counters.Drop;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;

/** Where the inbound path hands what the control plane handles (the peer directory). Must not block. */
public interface ControlSink {

    /** Takes nothing: every control message and DTLS record is for an unknown peer or index. */
    ControlSink REFUSE = new ControlSink() {
        @Override
        public boolean control(Endpoint from, ControlMessage message) {
            return false;
        }

        @Override
        public boolean dtls(Endpoint from, int localIndex, byte[] record) {
            return false;
        }
    };

    /** @return false if no link knows the sender (counted as {@link Drop#UNKNOWN_PEER}) */
    boolean control(Endpoint from, ControlMessage message);

    /**
     * A DTLS record for the link with receiver index {@code localIndex}; {@code record} is owned by the callee.
     *
     * @return false if no link has that index (counted as {@link Drop#UNKNOWN_INDEX})
     */
    boolean dtls(Endpoint from, int localIndex, byte[] record);
}
