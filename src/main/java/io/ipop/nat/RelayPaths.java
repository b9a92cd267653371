package io.ipop.nat;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relayed endpoints this node was given ({@code relay_ok}): endpoint on a relay → the relay's node
 * name. A link whose endpoint is one of them goes through that relay; the management API shows it as
 * {@code path: relay(via=name)}. Thread-safe; bounded by the number of relayed peers.
 */
public final class RelayPaths {
    private static final int MAX = 4096;
    private final Map<Endpoint, PeerId> via = new ConcurrentHashMap<>();

    void put(Endpoint relayed, PeerId relay) {
        if (via.size() < MAX || via.containsKey(relayed)) {
            via.put(relayed, relay);
        }
    }

    /** The relay behind {@code endpoint}, or null if it is a direct one. */
    public PeerId via(Endpoint endpoint) {
        return endpoint == null ? null : via.get(endpoint);
    }
}
