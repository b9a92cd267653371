package io.ipop.dataplane;

import io.ipop.route.Route;
import java.util.List;

/** A complete datagram for one link, carrying an Ethernet frame of {@code frameLength} bytes. Owns the array. */
public record Outgoing(Route route, byte[] datagram, int frameLength) {

    /**
     * The end (exclusive) of the run of datagrams from {@code from} that may leave in one segmented
     * send: to the same endpoint, all of the first one's length but the last, which may be shorter
     * (the segments of one TCP super-frame, cut by the TAP's segmenter, are such a run).
     */
    static int runEnd(List<Outgoing> datagrams, int from) {
        Outgoing first = datagrams.get(from);
        int length = first.datagram.length;
        int i = from + 1;
        while (i < datagrams.size()) {
            Outgoing o = datagrams.get(i);
            if (!o.route.endpoint().equals(first.route.endpoint()) || o.datagram.length > length) {
                break;
            }
            i++;
            if (o.datagram.length < length) {
                break;
            }
        }
        return i;
    }
}
