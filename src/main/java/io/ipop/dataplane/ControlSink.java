package io.ipop.dataplane;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;

/** Where the inbound path hands decoded control messages (the peer directory). Must not block. */
@FunctionalInterface
public interface ControlSink {
    /** @return false if no link knows the sender (counted as {@link Drop#UNKNOWN_PEER}) */
    boolean accept(Endpoint from, ControlMessage message);
}
