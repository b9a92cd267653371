package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.wire.ControlMessage;
import java.util.List;

/**
 * What a peer told us about itself in its last {@code con_req} or {@code con_resp}.
 *
 * @param cands the candidate endpoints of that verified hello ({@code a.b.c.d:port}, docs/nat.md);
 *              empty if it carried none
 */
public record PeerInfo(String name, String instance, OverlayAddress address, MacAddress mac, List<String> groups,
                       int index, List<String> cands) {

    public PeerInfo {
        cands = cands == null ? List.of() : List.copyOf(cands);
    }

    /** A peer that offered no candidates. */
    public PeerInfo(String name, String instance, OverlayAddress address, MacAddress mac, List<String> groups, int index) {
        this(name, instance, address, mac, groups, index, List.of());
    }

    /** Reads a hello whose fields were already checked when it was decoded. */
    public static PeerInfo of(ControlMessage.Hello hello) {
        return new PeerInfo(hello.node(), hello.instance(), OverlayAddress.parse(hello.ip(), true),
                MacAddress.parse(hello.mac()), hello.groups(), hello.index(), hello.cands());
    }
}
