package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import java.time.Instant;
import java.util.List;

/**
 * This node as it introduces itself to peers.
 *
 * @param instance random id of this process, so peers notice a restart
 */
public record LocalNode(String name, String instance, OverlayAddress address, MacAddress mac, List<String> groups,
                        Endpoint underlay, Instant started) {

    /** The same node (same process instance) after a reload changed its groups. */
    public LocalNode withGroups(List<String> newGroups) {
        return new LocalNode(name, instance, address, mac, List.copyOf(newGroups), underlay, started);
    }
}
