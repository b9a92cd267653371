package io.ipop.discovery;

import io.ipop.node.PeerSettings;
import io.ipop.peer.PeerDirectory;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Discovery from the config file: every entry of {@code ipop.peers} is reported once, at start. */
public final class StaticPeers {
    public static final String SOURCE = "static";

    private StaticPeers() {
    }

    public static void announce(List<PeerSettings> peers, ActorRef<PeerDirectory.Command> directory) {
        for (PeerSettings p : peers) {
            directory.tell(new PeerDirectory.PeerFound(p.name(), p.endpoint(), SOURCE));
        }
    }
}
