package io.ipop.peer;

import io.ipop.route.LinkCounters;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Closes overlay sessions ({@link Discovery#OVERLAY}) that carried no data frame, either way, for {@code idle}
 * ({@code ipop.topology.on-demand.idle}): keepalives do not count. Checks every quarter of {@code idle} (at
 * least every second), so a session closes between 1 and 1.25 times {@code idle} after its last frame; the
 * directory's {@link PeerDirectory.Forget} says {@code close} to the peer and stops it.
 */
public final class OverlayIdle {

    /** The check's tick. */
    public enum Command { TICK }

    private OverlayIdle() {
    }

    public static Behavior<Command> create(Links links, Duration idle, ActorRef<PeerDirectory.Command> directory) {
        Duration every = idle.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : idle.dividedBy(4);
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Command.TICK, every);
            Map<PeerId, long[]> seen = new HashMap<>();   // peer -> {data frames, when they last changed (nanos)}
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Command.TICK, () -> {
                        check(links, idle, directory, seen, System.nanoTime());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** One check at {@code now}: forgets the overlay sessions whose data counters stood still for {@code idle}. */
    static void check(Links links, Duration idle, ActorRef<PeerDirectory.Command> directory, Map<PeerId, long[]> seen,
                      long now) {
        Set<PeerId> present = new HashSet<>();
        for (PeerLink link : links.all()) {
            if (link.discoveredBy() != Discovery.OVERLAY) {
                continue;
            }
            present.add(link.peer());
            LinkCounters c = link.counters();
            long frames = c.packetsIn() + c.packetsOut();
            long[] s = seen.get(link.peer());
            if (s == null || s[0] != frames) {
                seen.put(link.peer(), new long[] {frames, now});
            } else if (now - s[1] >= idle.toNanos()) {
                directory.tell(new PeerDirectory.Forget(link.peer(), "overlay session idle for " + idle.toSeconds() + " s"));
                seen.remove(link.peer());
            }
        }
        seen.keySet().retainAll(present);
    }
}
