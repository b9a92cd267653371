package io.ipop.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static Route route(String peer, int localIndex) {
        return Routes.of(peer, localIndex, localIndex ^ 0x5555, Endpoint.parse("192.0.2." + (1 + peer.length()) + ":5800"),
                new LinkCounters(), null);
    }

    private final Route b = route("b", 7);
    private final Route c = route("cc", -3);
    private final Route d = route("ddd", Integer.MIN_VALUE);
    private final Route e = route("eeee", Integer.MAX_VALUE);
    private final RouteTable table = RouteTable.of(List.of(b, c, d, e));

    @Test
    void findsEachRouteByItsLocalIndexIncludingNegativeOnes() {
        assertSame(b, table.byLocalIndex(7));
        assertSame(c, table.byLocalIndex(-3));
        assertSame(d, table.byLocalIndex(Integer.MIN_VALUE));
        assertSame(e, table.byLocalIndex(Integer.MAX_VALUE));
    }

    @Test
    void aUnicastMacBelongsToExactlyOneLink() {
        assertSame(b, table.byMac(b.mac()));
        assertSame(e, table.byMac(e.mac()));
        assertEquals(null, table.byMac(io.ipop.frame.MacAddress.derivedFrom("nobody").bits()));
        assertSame(b, table.macHolderOtherThan(b.mac(), PeerId.of("x")));
        assertEquals(null, table.macHolderOtherThan(b.mac(), PeerId.of("b")));
        Route impostor = new Route(PeerId.of("x"), 99, 1, b.endpoint(), new LinkCounters(), null, b.identity(), new FlowTable());
        IllegalArgumentException twice = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RouteTable.of(List.of(b, impostor)));
        assertTrue(twice.getMessage().contains("on two links"), twice.getMessage());
    }

    @Test
    void absentLocalIndexFindsNothing() {
        for (int index : new int[] {0, 6, 8, -2, -4, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1}) {
            assertNull(table.byLocalIndex(index), "index " + index);
        }
    }

    @Test
    void remoteIndexIsNotALookupKey() {
        assertNull(table.byLocalIndex(b.remoteIndex()));
    }

    @Test
    void findsRoutesByPeerName() {
        assertSame(b, table.byPeer(PeerId.of("b")));
        assertSame(d, table.byPeer(PeerId.of("ddd")));
        assertNull(table.byPeer(PeerId.of("zz")));
    }

    @Test
    void allHoldsEveryRouteOnceAndCannotBeChanged() {
        assertEquals(4, table.all().size());
        assertEquals(Set.of(b, c, d, e), new HashSet<>(table.all()));
        assertFalse(table.isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> table.all().add(b));
    }

    @Test
    void laterChangesToTheSourceListDoNotReachTheSnapshot() {
        List<Route> source = new ArrayList<>(List.of(b));
        RouteTable snapshot = RouteTable.of(source);
        source.add(c);

        assertEquals(List.of(b), snapshot.all());
        assertNull(snapshot.byLocalIndex(-3));
    }

    @Test
    void duplicateLocalIndexIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> RouteTable.of(List.of(route("b", 5), route("c", 5))));
    }

    @Test
    void emptyTableFindsNothing() {
        assertSame(RouteTable.EMPTY, RouteTable.of(List.of()));
        assertTrue(RouteTable.EMPTY.isEmpty());
        assertEquals(List.of(), RouteTable.EMPTY.all());
        assertNull(RouteTable.EMPTY.byLocalIndex(0));
        assertNull(RouteTable.EMPTY.byPeer(PeerId.of("b")));
    }
}
