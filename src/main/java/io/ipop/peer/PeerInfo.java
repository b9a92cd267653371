package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.wire.ControlMessage;
import java.util.List;

/** What a peer told us about itself in its last {@code con_req} or {@code con_resp}. */
public record PeerInfo(String name, String instance, OverlayAddress address, MacAddress mac, List<String> groups,
                       int index) {

    /** Reads a hello whose fields were already checked when it was decoded. */
    public static PeerInfo of(ControlMessage.Hello hello) {
        return new PeerInfo(hello.node(), hello.instance(), OverlayAddress.parse(hello.ip(), true),
                MacAddress.parse(hello.mac()), hello.groups(), hello.index());
    }
}
