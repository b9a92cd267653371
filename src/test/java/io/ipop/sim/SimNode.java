package io.ipop.sim;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Hellos;
import io.ipop.peer.LinkContext;
import io.ipop.peer.LinkEvent;
import io.ipop.peer.LinkMachine;
import io.ipop.peer.LocalNode;
import io.ipop.peer.SimulatedLink;
import io.ipop.topology.Neighbourhood;
import io.ipop.topology.RingId;
import io.ipop.topology.Role;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One simulated node: the production {@link io.ipop.topology.Topology} (through {@link Neighbourhood}) chooses
 * its links from the directory's member ring, one production {@link LinkMachine} per link
 * ({@link SimulatedLink}) sets each up and keeps it alive, and this class stands in for the rest of the node:
 * the {@code PeerDirectory} (a session per wanted member; a {@code con_req} from a member without one is admitted,
 * since a link exists if either end wants it; a link neither end wants any more is closed), the socket (the
 * {@link SimNetwork}) and the timers (the {@link Scheduler}).
 *
 * <p>Its up links, as ring positions, are what greedy routing ({@code NextHop}) runs over in {@link Reach}.
 */
final class SimNode implements SimulatedLink.Host {
    private static final LinkEvent.Tick[] TICKS = new LinkEvent.Tick[LinkMachine.Timer.values().length];

    static {
        for (LinkMachine.Timer t : LinkMachine.Timer.values()) {
            TICKS[t.ordinal()] = new LinkEvent.Tick(t);
        }
    }

    final int index;
    final PeerId id;
    final long ringId;
    final Endpoint endpoint;
    private final Simulation sim;
    boolean alive;
    /** The process: 1 for the first, one more per restart (0: never started). */
    int incarnation;
    private LinkContext ctx;
    private Neighbourhood hood;
    /** The incarnation of each member this node's sessions were opened for (the directory's record). */
    private final Map<PeerId, Integer> sessionFor = new HashMap<>();
    private final Map<PeerId, SimulatedLink> links = new HashMap<>();
    /** Ring positions and node indexes of the peers whose links are up here ({@link #upCount} of them). */
    long[] upIds = new long[8];
    int[] upIndexes = new int[8];
    int upCount;

    SimNode(Simulation sim, int index) {
        this.sim = sim;
        this.index = index;
        this.id = PeerId.of(name(index));
        this.ringId = RingId.of(id).bits();
        this.endpoint = SimNetwork.endpointOf(index);
    }

    static String name(int index) {
        return "n" + index;
    }

    static int indexOf(PeerId peer) {
        return Integer.parseInt(peer.name(), 1, peer.name().length(), 10);
    }

    /** A new process of this node: no links, no view of the members until the directory has it as a member. */
    void start() {
        alive = true;
        incarnation++;
        int host = index + 1;
        OverlayAddress overlay = new OverlayAddress(0x0A000000 | host, 8);
        LocalNode self = new LocalNode(id.name(), "i" + index + "-" + incarnation, overlay,
                MacAddress.derivedFrom(id.name()), List.of(), endpoint, Instant.EPOCH);
        HelloCheck check = new HelloCheck(self, Optional.empty(), false, Duration.ofSeconds(60), sim.nonces, sim.clock);
        ctx = new LinkContext(self, sim.linkSettings, sim.security, Optional.empty(), SimNetwork.NO_SOCKET,
                new Hellos(self, Optional.empty()), check, null, sim.counters, null);
        hood = null;
    }

    /** The process dies: its links vanish without a word, its timers with them. */
    void kill() {
        alive = false;
        for (SimulatedLink l : links.values()) {
            l.abandon();
        }
        links.clear();
        sessionFor.clear();
        upCount = 0;
        hood = null;
    }

    /** The directory's current members, as this node hears them (a member itself, or it ignores them). */
    void onView(View view) {
        if (!alive || view.incarnation(index) != incarnation) {
            return;
        }
        if (hood == null) {
            hood = new Neighbourhood(id, sim.topology);
        }
        Neighbourhood.Change change = hood.ring(view.ring());
        for (PeerId gone : change.removed()) {
            close(gone, "the topology no longer wants this link");
        }
        for (Map.Entry<PeerId, Role> e : hood.wanted().entrySet()) {
            PeerId peer = e.getKey();
            int theirs = view.incarnation(indexOf(peer));
            Integer known = sessionFor.get(peer);
            if (known != null && known != theirs) {
                close(peer, "peer restarted (a new member)");        // the directory's PeerLost, then PeerFound
                known = null;
            }
            if (known == null && !links.containsKey(peer)) {
                open(peer, theirs).start(sim.scheduler.now());
            } else if (known == null) {
                sessionFor.put(peer, theirs);                       // admitted before; now wanted here too
            }
        }
        for (PeerId peer : new ArrayList<>(links.keySet())) {
            if (!view.isMember(indexOf(peer))) {
                close(peer, "peer left the cluster");
            }
        }
    }

    private SimulatedLink open(PeerId peer, int theirIncarnation) {
        SimulatedLink l = new SimulatedLink(this, ctx, peer, SimNetwork.endpointOf(indexOf(peer)), sim.clock);
        links.put(peer, l);
        sessionFor.put(peer, theirIncarnation);
        return l;
    }

    private void close(PeerId peer, String reason) {
        SimulatedLink l = links.get(peer);
        sessionFor.remove(peer);
        if (l != null) {
            l.feed(new LinkEvent.Close(reason), sim.scheduler.now());
        }
    }

    /** A datagram from {@code from}: to the session of its sender; a member's {@code con_req} may open one. */
    void receive(Endpoint from, ControlMessage m) {
        PeerId sender = m.sender();
        SimulatedLink l = links.get(sender);
        long now = sim.scheduler.now();
        if (l == null) {
            View v = sim.directory.view();
            if (!(m instanceof ConReq) || hood == null || !v.isMember(indexOf(sender))) {
                sim.noSession++;
                return;
            }
            l = open(sender, v.incarnation(indexOf(sender)));
            sessionFor.remove(sender);                              // admitted, not wanted: the peer's to keep
            l.start(now);
        } else if (m instanceof Close && !hood.wanted().containsKey(sender)) {
            l.feed(new LinkEvent.Close("peer closed the link, and this node does not want it"), now);
            return;
        }
        l.feed(new LinkEvent.Control(from, m), now);
    }

    Scheduler scheduler() {
        return sim.scheduler;
    }

    void tick(SimulatedLink l, LinkMachine.Timer timer) {
        l.feed(TICKS[timer.ordinal()], sim.scheduler.now());
    }

    /** True if this node's link to node {@code other} is up. */
    boolean routesTo(int other) {
        for (int i = 0; i < upCount; i++) {
            if (upIndexes[i] == other) {
                return true;
            }
        }
        return false;
    }

    int sessions() {
        return links.size();
    }

    // ---- SimulatedLink.Host ---------------------------------------------------------------------------------

    @Override
    public void send(SimulatedLink link, ControlMessage message, Endpoint to) {
        sim.network.send(this, message, to);
    }

    @Override
    public void startTimer(SimulatedLink link, LinkMachine.Timer timer, Duration delay, boolean repeat) {
        sim.scheduler.after(delay.toNanos(), new SimNetwork.Tick(this, link, timer, repeat ? delay.toNanos() : 0));
    }

    @Override
    public void routed(SimulatedLink link, boolean up) {
        int peer = indexOf(link.peer());
        if (up) {
            if (upCount == upIds.length) {
                upIds = java.util.Arrays.copyOf(upIds, upCount * 2);
                upIndexes = java.util.Arrays.copyOf(upIndexes, upCount * 2);
            }
            upIds[upCount] = sim.nodes[peer].ringId;
            upIndexes[upCount++] = peer;
            return;
        }
        for (int i = 0; i < upCount; i++) {
            if (upIndexes[i] == peer) {
                upCount--;
                upIds[i] = upIds[upCount];
                upIndexes[i] = upIndexes[upCount];
                return;
            }
        }
    }

    @Override
    public void stopped(SimulatedLink link) {
        links.remove(link.peer(), link);
        if (links.get(link.peer()) == null) {
            sessionFor.remove(link.peer());
        }
    }
}
