package io.ipop.peer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every known peer link by peer name. Written by {@link PeerDirectory}, read by anyone. Thread-safe. */
public final class Links {
    private final Map<String, PeerLink> byPeer = new ConcurrentHashMap<>();
    private final Map<Integer, PeerLink> byIndex = new ConcurrentHashMap<>();

    void add(PeerLink link) {
        byPeer.put(link.peer(), link);
        byIndex.put(link.localIndex(), link);
    }

    void remove(String peer) {
        PeerLink link = byPeer.remove(peer);
        if (link != null) {
            byIndex.remove(link.localIndex());
        }
    }

    /** The link whose frames carry receiver index {@code localIndex}, whatever its state; or {@code null}. */
    public PeerLink byIndex(int localIndex) {
        return byIndex.get(localIndex);
    }

    public PeerLink get(String peer) {
        return byPeer.get(peer);
    }

    public boolean knows(String peer) {
        return byPeer.containsKey(peer);
    }

    /** Links sorted by peer name. */
    public List<PeerLink> all() {
        Collection<PeerLink> v = byPeer.values();
        return v.stream().sorted(java.util.Comparator.comparing(PeerLink::peer)).toList();
    }
}
