package io.ipop.dataplane;

import io.ipop.route.Route;
import io.ipop.tap.TapFrame;

/** An Ethernet frame that arrived on a link: {@code buf[offset, offset + length)}. Owns the array. */
public record InboundFrame(Route route, byte[] buf, int offset, int length) implements TapFrame {
}
