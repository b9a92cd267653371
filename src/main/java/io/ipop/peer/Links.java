package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every known peer link by peer name and by receiver index. Written by {@link PeerDirectory} (links come
 * and go) and by the sessions (a new index for every setup), read by anyone. Thread-safe.
 *
 * <p>Receiver indexes are random, never 0, unique among this node's links, and new for every setup of a
 * link ({@link PeerLink#renewIndex}): an index learned from one session's headers is worthless in the next.
 */
public final class Links {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<PeerId, PeerLink> byPeer = new ConcurrentHashMap<>();
    private final Map<Integer, PeerLink> byIndex = new ConcurrentHashMap<>();

    /** A new link to {@code peer}, connecting, with a fresh receiver index. */
    PeerLink open(PeerId peer, Discovery discoveredBy, Endpoint endpoint) {
        int index;
        do {
            index = randomIndex();
        } while (byIndex.containsKey(index));
        PeerLink link = PeerLink.connecting(peer, discoveredBy, index, endpoint);
        add(link);
        return link;
    }

    /** Registers {@code link} under its name and current index; it renews its index through this registry. */
    void add(PeerLink link) {
        link.adoptedBy(this);
        byPeer.put(link.peer(), link);
        byIndex.put(link.localIndex(), link);
    }

    /** A random receiver index, never 0. */
    static int randomIndex() {
        int i;
        do {
            i = RANDOM.nextInt();
        } while (i == 0);
        return i;
    }

    /** A fresh random index for {@code link}, registered for it; its old one is released. */
    int allocate(PeerLink link, int old) {
        int i;
        do {
            i = randomIndex();
        } while (byIndex.putIfAbsent(i, link) != null);
        byIndex.remove(old, link);
        return i;
    }

    void remove(PeerId peer) {
        PeerLink link = byPeer.remove(peer);
        if (link != null) {
            byIndex.remove(link.localIndex(), link);
        }
    }

    /** The link whose frames carry receiver index {@code localIndex}, whatever its state; or {@code null}. */
    public PeerLink byIndex(int localIndex) {
        return byIndex.get(localIndex);
    }

    public PeerLink get(PeerId peer) {
        return byPeer.get(peer);
    }

    public boolean knows(PeerId peer) {
        return byPeer.containsKey(peer);
    }

    /** Links sorted by peer name. */
    public List<PeerLink> all() {
        return byPeer.values().stream().sorted(Comparator.comparing(PeerLink::peer)).toList();
    }
}
