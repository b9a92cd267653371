package io.ipop.dataplane;

import io.ipop.underlay.Endpoint;

/**
 * Where the inbound path hands datagrams that may be STUN (first two bits zero, RFC 7983): the NAT
 * traversal's Binding responder and client. Called on the receiving thread: must not block.
 */
public interface StunSink {

    /** Takes no datagram: all of them go on to the frame header check. */
    StunSink NONE = (from, datagram) -> false;

    /**
     * @param datagram owned by the callee
     * @return true if the datagram was STUN and has been handled or counted; false to treat it as a frame
     */
    boolean offer(Endpoint from, byte[] datagram);
}
