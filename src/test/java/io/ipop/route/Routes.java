package io.ipop.route;

import io.ipop.frame.MacAddress;
import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;

/** Routes for tests: the peer's MAC is the one its name derives, its overlay address {@code 10.77.0.H} with H from the name. */
public final class Routes {
    private Routes() {
    }

    public static Route of(String peer, int localIndex, int remoteIndex, Endpoint endpoint, LinkCounters counters,
                           LinkCipher cipher) {
        return new Route(PeerId.of(peer), localIndex, remoteIndex, endpoint, counters, cipher, identity(peer), new FlowTable());
    }

    /** An uncertified identity for {@code peer}: MAC derived from the name, 10.77.0.(1..250). */
    public static LinkIdentity identity(String peer) {
        return LinkIdentity.claimed(peer, MacAddress.derivedFrom(peer), 0x0A4D_0000 | (Math.floorMod(peer.hashCode(), 250) + 1));
    }
}
