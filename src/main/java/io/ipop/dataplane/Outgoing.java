package io.ipop.dataplane;

import io.ipop.route.Route;

/** A complete datagram for one link, carrying an Ethernet frame of {@code frameLength} bytes. Owns the array. */
public record Outgoing(Route route, byte[] datagram, int frameLength) {
}
