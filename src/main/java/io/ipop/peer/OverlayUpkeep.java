package io.ipop.peer;

import io.ipop.dataplane.OverlayPaths;
import io.ipop.route.LinkCounters;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import io.ipop.topology.TopologySettings;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps the overlay paths of the node's links (docs/architecture.md, "Overlay paths"), every second:
 * <ol>
 *   <li><b>fallback</b>: a link the directory wants direct (a static or cluster peer; a peer a rendezvous announced
 *       falls back to that rendezvous's relay instead) that is still not up
 *       {@code nat.direct-timeout} after it began seeking gets its overlay path as a candidate, as a relay's
 *       port is added after the same time: it comes up over the overlay and keeps probing the peer directly,
 *       moving there once a direct path answers ({@link Probes#rank}: overlay below relay below direct);</li>
 *   <li><b>idle</b>: an overlay session ({@link Discovery#OVERLAY}) that carried no data frame, either way, for
 *       {@code ipop.topology.on-demand.idle} is closed ({@link PeerDirectory.Forget}: the peer hears {@code close});
 *       keepalives do not count. It closes between {@code idle} and {@code idle} + 1 s after its last frame, or
 *       {@link #UNUSED} after it was opened if it never carried one;</li>
 *   <li><b>on-demand direct links</b>: an overlay session whose data frames (both ways) passed
 *       {@code on-demand.threshold} bytes within {@code on-demand.window} is told to probe the peer's direct
 *       candidates ({@link PeerDirectory.WantDirect}); it moves there once one answers, keeping its indexes and
 *       keys, as a relayed link moves to a direct path. At most {@code on-demand.max} sessions at once.</li>
 * </ol>
 */
public final class OverlayUpkeep {

    /**
     * How long an overlay session that never carried a data frame is kept: one opened on demand carries the
     * traffic that asked for it within seconds; one that carries nothing was opened by a hello that outlived its
     * sender's session (a link retired while its overlay fallback's {@code con_req} was on its way).
     */
    static final Duration UNUSED = Duration.ofSeconds(15);

    /** The check's tick. */
    public enum Command { TICK }

    private final Links links;
    private final OverlayMembers members;
    private final Duration directTimeout;
    private final Duration idle;
    private final TopologySettings.OnDemand onDemand;
    private final Consumer<PeerDirectory.Command> directory;
    /** Overlay sessions' data bytes (both ways) at each tick within the last {@code on-demand.window}: (nanos, bytes). */
    private final Map<PeerId, ArrayDeque<long[]>> traffic = new HashMap<>();
    /** Overlay sessions that earned a direct link (at most {@code on-demand.max}). */
    private final Set<PeerId> direct = new HashSet<>();
    /** Overlay sessions' data frames, and when that number last changed (nanos). */
    private final Map<PeerId, long[]> seen = new HashMap<>();
    /** Links given their overlay path as a candidate. */
    private final Set<PeerId> offered = new HashSet<>();

    OverlayUpkeep(Links links, OverlayMembers members, Duration directTimeout, TopologySettings.OnDemand onDemand,
                  Consumer<PeerDirectory.Command> directory) {
        this.links = links;
        this.members = members;
        this.directTimeout = directTimeout;
        this.idle = onDemand.idle();
        this.onDemand = onDemand;
        this.directory = directory;
    }

    public static Behavior<Command> create(Links links, OverlayMembers members, Duration directTimeout,
                                           TopologySettings.OnDemand onDemand, ActorRef<PeerDirectory.Command> directory) {
        OverlayUpkeep upkeep = new OverlayUpkeep(links, members, directTimeout, onDemand, directory::tell);
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Command.TICK, Duration.ofSeconds(1));
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Command.TICK, () -> {
                        upkeep.check(System.nanoTime(), Instant.now());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** One round at {@code nowNanos} (monotonic) and {@code now} (the wall clock the links' snapshots use). */
    void check(long nowNanos, Instant now) {
        Set<PeerId> present = new HashSet<>();
        for (PeerLink link : links.all()) {
            present.add(link.peer());
            if (link.discoveredBy() == Discovery.OVERLAY) {
                checkIdle(link, nowNanos);
                checkDemand(link, nowNanos);
            } else {
                checkFallback(link, now);
            }
        }
        seen.keySet().retainAll(present);
        offered.retainAll(present);
        traffic.keySet().retainAll(present);
        direct.retainAll(present);
    }

    /** An overlay session whose data passed {@code on-demand.threshold} within {@code window} gets a direct link. */
    private void checkDemand(PeerLink link, long nowNanos) {
        if (direct.contains(link.peer()) || onDemand.max() == 0) {
            return;
        }
        long bytes = link.counters().bytesIn() + link.counters().bytesOut();
        ArrayDeque<long[]> samples = traffic.computeIfAbsent(link.peer(), p -> new ArrayDeque<>());
        samples.addLast(new long[] {nowNanos, bytes});
        while (nowNanos - samples.peekFirst()[0] > onDemand.window().toNanos()) {
            samples.removeFirst();
        }
        if (bytes - samples.peekFirst()[1] >= onDemand.thresholdBytes() && direct.size() < onDemand.max()) {
            direct.add(link.peer());
            traffic.remove(link.peer());
            directory.accept(new PeerDirectory.WantDirect(link.peer()));
        }
    }

    private void checkFallback(PeerLink link, Instant now) {
        LinkSnapshot snap = link.snapshot();
        boolean seeking = snap.state() == LinkState.CONNECTING || snap.state() == LinkState.LOST;
        // a peer a rendezvous announced has NAT traversal's relay for its fallback, through that same node
        if (!seeking || offered.contains(link.peer()) || !members.known(link.peer())
                || link.discoveredBy() instanceof Discovery.Rendezvous
                || Duration.between(snap.since(), now).compareTo(directTimeout) < 0) {
            return;
        }
        offered.add(link.peer());
        directory.accept(new PeerDirectory.CandidatesFound(link.peer(), List.of(), OverlayPaths.endpointOf(link.peer()), null));
    }

    private void checkIdle(PeerLink link, long nowNanos) {
        LinkCounters c = link.counters();
        long frames = c.packetsIn() + c.packetsOut();
        long[] s = seen.get(link.peer());
        if (s == null || s[0] != frames) {
            seen.put(link.peer(), new long[] {frames, nowNanos});
        } else if (nowNanos - s[1] >= limit(frames).toNanos()) {
            directory.accept(new PeerDirectory.Forget(link.peer(), frames == 0
                    ? "overlay session unused for " + limit(0).toSeconds() + " s"
                    : "overlay session idle for " + idle.toSeconds() + " s"));
            seen.remove(link.peer());
        }
    }

    /** How long an overlay session may go without a data frame: {@code idle}, or {@link #UNUSED} if it never had one. */
    private Duration limit(long frames) {
        return frames == 0 && UNUSED.compareTo(idle) < 0 ? UNUSED : idle;
    }
}
