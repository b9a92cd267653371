package io.ipop.dataplane;

import io.ipop.route.Route;

/**
 * A data datagram matched to its link: the Ethernet frame is {@code datagram[FrameHeader.LENGTH..]}.
 * Owns the array.
 */
public record InboundFrame(Route route, byte[] datagram) {
}
