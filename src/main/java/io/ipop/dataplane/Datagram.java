package io.ipop.dataplane;

import io.ipop.underlay.Endpoint;

/** A datagram as received from the underlay. The array is exactly the datagram and owned by the stream element. */
public record Datagram(Endpoint from, byte[] bytes) {
}
