package io.ipop.route;

import io.ipop.frame.MacAddress;
import io.ipop.wire.PeerId;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Immutable snapshot of the up links, published by the control plane and read per packet by the data
 * plane. Lookups allocate nothing.
 *
 * <p>This is also the switch: a unicast MAC belongs to exactly one link, the one whose peer's identity it
 * is ({@link LinkIdentity}). Nothing learns MACs from traffic, so no frame can move a MAC to another link
 * (docs/security.md, invariant 2); a table with one MAC on two links cannot be built.
 */
public final class RouteTable {
    public static final RouteTable EMPTY = new RouteTable(List.of());

    private final int[] localIndexes;
    private final Route[] byIndex;
    private final long[] macs;
    private final Route[] byMac;
    private final Map<PeerId, Route> byPeer;
    private final List<Route> all;

    private RouteTable(Collection<Route> routes) {
        Route[] sorted = routes.toArray(new Route[0]);
        Arrays.sort(sorted, Comparator.comparingInt(Route::localIndex));
        this.byIndex = sorted;
        this.localIndexes = Arrays.stream(sorted).mapToInt(Route::localIndex).toArray();
        for (int i = 1; i < localIndexes.length; i++) {
            if (localIndexes[i] == localIndexes[i - 1]) {
                throw new IllegalArgumentException("duplicate local index " + localIndexes[i]);
            }
        }
        Route[] macSorted = routes.toArray(new Route[0]);
        Arrays.sort(macSorted, Comparator.comparingLong(Route::mac));
        this.byMac = macSorted;
        this.macs = Arrays.stream(macSorted).mapToLong(Route::mac).toArray();
        for (int i = 1; i < macs.length; i++) {
            if (macs[i] == macs[i - 1]) {
                throw new IllegalArgumentException("MAC " + new MacAddress(macs[i]) + " on two links: "
                        + macSorted[i - 1].peer() + " and " + macSorted[i].peer());
            }
        }
        this.byPeer = routes.stream().collect(Collectors.toUnmodifiableMap(Route::peer, Function.identity()));
        this.all = List.of(sorted);
    }

    public static RouteTable of(Collection<Route> routes) {
        return routes.isEmpty() ? EMPTY : new RouteTable(routes);
    }

    /** The link whose frames carry {@code localIndex}, or {@code null}. */
    public Route byLocalIndex(int localIndex) {
        int i = Arrays.binarySearch(localIndexes, localIndex);
        return i >= 0 ? byIndex[i] : null;
    }

    /** The link of the peer whose MAC is {@code mac}, or {@code null}. */
    public Route byMac(long mac) {
        int i = Arrays.binarySearch(macs, mac);
        return i >= 0 ? byMac[i] : null;
    }

    /** The link that holds {@code mac}, other than {@code peer}'s; or {@code null}. */
    public Route macHolderOtherThan(long mac, PeerId peer) {
        Route r = byMac(mac);
        return r == null || r.peer().equals(peer) ? null : r;
    }

    public Route byPeer(PeerId peer) {
        return byPeer.get(peer);
    }

    /** Every up link, for flooding. */
    public List<Route> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
