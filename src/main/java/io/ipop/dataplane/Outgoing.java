package io.ipop.dataplane;

import io.ipop.route.Route;

/** A complete datagram (header and frame) for one link. Owns the array. */
public record Outgoing(Route route, byte[] datagram) {
}
