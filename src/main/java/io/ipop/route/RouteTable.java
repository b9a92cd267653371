package io.ipop.route;

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
 */
public final class RouteTable {
    public static final RouteTable EMPTY = new RouteTable(List.of());

    private final int[] localIndexes;
    private final Route[] byIndex;
    private final Map<String, Route> byPeer;
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

    public Route byPeer(String peer) {
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
