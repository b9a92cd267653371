package io.ipop.discovery;

import io.ipop.peer.Discovery;
import io.ipop.peer.PeerSettings;
import io.ipop.peer.PeerDirectory;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Discovery from the config file: every entry of {@code ipop.peers} is reported at start, and again on a reload. */
public final class StaticPeers {
    private StaticPeers() {
    }

    public static void announce(List<PeerSettings> peers, ActorRef<PeerDirectory.Command> directory) {
        found(peers).forEach(directory::tell);
    }

    /** The peers as the directory hears of them. */
    public static List<PeerDirectory.PeerFound> found(List<PeerSettings> peers) {
        return peers.stream().map(p -> new PeerDirectory.PeerFound(p.id(), p.endpoint(), Discovery.STATIC)).toList();
    }
}
