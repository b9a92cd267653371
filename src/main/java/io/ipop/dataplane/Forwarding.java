package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.topology.NextHop;
import io.ipop.topology.RingId;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.Forward;
import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Multi-hop forwarding (docs/protocol.md, "Multi-hop forwarding"): FORWARD datagrams this node receives,
 * passes on or is the destination of, and those it sends as the source of an overlay path.
 *
 * <p>Receive flow ({@link #receive}, on the inbound thread):
 * <ol>
 *   <li>source: only from the endpoint of an up link that is not itself an overlay path (a direct or relayed
 *       link); anything else is {@code unlinked_source}: no open relay for off-path hosts;</li>
 *   <li>envelope: {@link Forward.View#parse}, else {@code malformed};</li>
 *   <li>for this node: the inner datagram, as if it arrived from the source's overlay path
 *       ({@link OverlayPaths#endpointOf}); an inner CONTROL datagram's trace is kept for the path's {@code via};</li>
 *   <li>for another node: one hop less ({@code hop_limit} at 0, or if it came back to its source), then to the
 *       up direct link {@link NextHop} picks (strictly nearer the destination on the ring, else {@code no_route}),
 *       unchanged but for the hop count (and the trace of an inner CONTROL datagram); counted on that link.</li>
 * </ol>
 * Nothing is decrypted or checked inside: a secure pair's datagrams pass sealed, as through a relay.
 * Thread-safe: the views of the route table are rebuilt when the directory publishes a new table.
 */
public final class Forwarding {
    private static final int SOURCE_CACHE = 16;
    private static final int PREFIXES = 4096;

    private final PeerId self;
    private final byte[] selfName;
    private final Supplier<RouteTable> routes;
    private final OverlayPaths paths;
    private final Underlay underlay;
    private final DataplaneCounters counters;
    private final ThreadLocal<Forward.View> views = ThreadLocal.withInitial(Forward.View::new);
    private final ThreadLocal<SourceCache> sources = ThreadLocal.withInitial(SourceCache::new);
    private final Map<PeerId, byte[]> prefixes = new ConcurrentHashMap<>();
    private volatile Links links = new Links(RouteTable.EMPTY, Map.of(), NextHop.of(PeerId.of("-"), List.of()), new Route[0]);

    /** @param underlay the socket itself (not the {@link OverlayUnderlay} around it): next hops are direct */
    public Forwarding(PeerId self, Supplier<RouteTable> routes, OverlayPaths paths, Underlay underlay,
                      DataplaneCounters counters) {
        this.self = self;
        this.selfName = self.name().getBytes(StandardCharsets.US_ASCII);
        this.routes = routes;
        this.paths = paths;
        this.underlay = underlay;
        this.counters = counters;
    }

    public OverlayPaths paths() {
        return paths;
    }

    /** Steps 1-4 for a FORWARD datagram {@code d}: the inner datagram if it is for this node, else null. */
    public Datagram receive(Datagram d) {
        Links l = links();
        if (l.byEndpoint.get(d.from()) == null) {
            counters.drop(DataDrop.FORWARD_UNLINKED);
            return null;
        }
        byte[] b = d.bytes();
        Forward.View v = views.get();
        if (!v.parse(b, b.length)) {
            counters.drop(DataDrop.FORWARD_MALFORMED);
            return null;
        }
        if (v.sourceIs(b, selfName)) {
            counters.drop(DataDrop.FORWARD_HOP_LIMIT);      // back at its source: a loop
            return null;
        }
        if (v.destinationIs(b, selfName)) {
            return deliver(b, v);
        }
        if (v.hops == 0) {
            counters.drop(DataDrop.FORWARD_HOP_LIMIT);
            return null;
        }
        Forward.hops(b, v.hops - 1);
        byte[] out = v.innerType(b) == FrameType.CONTROL ? Forward.traced(b, v, selfName) : b;
        send(l, v.destinationRing, out);
        return null;
    }

    private Datagram deliver(byte[] b, Forward.View v) {
        Endpoint from = sources.get().endpoint(b, v);
        if (from == null) {
            counters.drop(DataDrop.FORWARD_MALFORMED);
            return null;
        }
        if (v.innerType(b) == FrameType.CONTROL && v.traceCount > 0) {
            paths.traced(from, v.trace(b));
        }
        return new Datagram(from, Arrays.copyOfRange(b, v.innerAt, v.length));
    }

    /**
     * Sends {@code inner[offset, offset+length)}, a datagram for {@code peer} on its overlay path, wrapped in
     * FORWARD toward it: to the peer itself if it is linked directly, else to the next hop. False if dropped
     * (counted: {@code no_route}, {@code too_big}, {@code udp_send_error}).
     */
    public boolean originate(PeerId peer, byte[] inner, int offset, int length) {
        byte[] prefix = prefixes.get(peer);
        if (prefix == null) {
            prefix = Forward.prefix(peer, RingId.of(peer).bits(), self);
            if (prefixes.size() >= PREFIXES) {
                prefixes.clear();                           // bounded; rebuilt on demand (a few µs each)
            }
            prefixes.put(peer, prefix);
        }
        if (prefix.length + length > Forward.MAX_LENGTH) {
            counters.drop(DataDrop.FORWARD_TOO_BIG);
            return false;
        }
        return send(links(), ringOf(prefix), Forward.wrap(prefix, Forward.HOP_LIMIT, inner, offset, length));
    }

    private boolean send(Links l, long destinationRing, byte[] datagram) {
        if (datagram.length > Forward.MAX_LENGTH) {
            counters.drop(DataDrop.FORWARD_TOO_BIG);
            return false;
        }
        int i = l.nextHop.indexToward(destinationRing);
        if (i == NextHop.NONE) {
            counters.drop(DataDrop.FORWARD_NO_ROUTE);
            return false;
        }
        Route next = l.hops[i];
        try {
            underlay.send(datagram, 0, datagram.length, next.endpoint());
            next.counters().forwarded(datagram.length);
            return true;
        } catch (IOException e) {
            counters.drop(DataDrop.UDP_SEND_ERROR);
            return false;
        }
    }

    private static long ringOf(byte[] prefix) {
        long ring = 0;
        for (int i = 4; i < 12; i++) {
            ring = (ring << 8) | (prefix[i] & 0xFF);
        }
        return ring;
    }

    /** The view of the current route table: its direct links by endpoint, and the next-hop choice over them. */
    private Links links() {
        RouteTable table = routes.get();
        Links l = links;
        if (l.table != table) {
            l = Links.of(self, table);
            links = l;
        }
        return l;
    }

    private record Links(RouteTable table, Map<Endpoint, Route> byEndpoint, NextHop nextHop, Route[] hops) {
        static Links of(PeerId self, RouteTable table) {
            Map<Endpoint, Route> direct = new HashMap<>();
            List<PeerId> peers = new ArrayList<>();
            for (Route r : table.all()) {
                if (!OverlayPaths.isOverlay(r.endpoint())) {
                    direct.put(r.endpoint(), r);
                    peers.add(r.peer());
                }
            }
            NextHop nextHop = NextHop.of(self, peers);
            Route[] hops = new Route[nextHop.size()];
            for (int i = 0; i < hops.length; i++) {
                hops[i] = table.byPeer(nextHop.peer(i));
            }
            return new Links(table, direct, nextHop, hops);
        }
    }

    /** The last few sources' overlay endpoints, by name bytes: no hashing per delivered datagram. One thread's. */
    private static final class SourceCache {
        private final byte[][] names = new byte[SOURCE_CACHE][];
        private final Endpoint[] endpoints = new Endpoint[SOURCE_CACHE];
        private int next;

        Endpoint endpoint(byte[] b, Forward.View v) {
            for (int i = 0; i < SOURCE_CACHE; i++) {
                if (names[i] != null && v.sourceIs(b, names[i])) {
                    return endpoints[i];
                }
            }
            PeerId source = v.source(b);
            if (source == null) {
                return null;
            }
            names[next] = Arrays.copyOfRange(b, v.sourceAt, v.sourceAt + v.sourceLength);
            endpoints[next] = OverlayPaths.endpointOf(source);
            Endpoint e = endpoints[next];
            next = (next + 1) % SOURCE_CACHE;
            return e;
        }
    }
}
