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
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One simulated node: the production {@link io.ipop.topology.Topology} (through {@link Neighbourhood}) chooses
 * its links from the directory's member ring, one production {@link LinkMachine} per link
 * ({@link SimulatedLink}) sets each up and keeps it alive, and this class stands in for the rest of the node:
 * the socket (the {@link SimNetwork}), the timers (the {@link Scheduler}), and the {@code PeerDirectory} with
 * the rules of {@code peer.Neighbours}, applied here to the ring the whole simulation shares (Neighbours itself
 * keeps a map of every member per node: 10^8 entries for 10,000 nodes): a session per member the topology
 * wants; a member's {@code con_req} without one is admitted ("requested": a link exists if either end wants
 * it), and that link closes when it goes down while this end does not want it; over the inbound cap
 * ({@link Neighbourhood#refusals}) askers are closed with {@link SimulatedLink#REFUSED} and pick another
 * member ({@link Neighbourhood#refusedBy}); a link no longer wanted is retired ({@link SimulatedLink#RETIRED})
 * once every wanted link is up, or after {@link SimulatedLink#GRACE}. The directory's answers to a session's
 * news come a scheduler event later, as an actor's message would.
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
    /** The directory's view this node heard last. */
    private View view;
    /** The incarnation of each member this node's sessions were opened for (the directory's record). */
    private final Map<PeerId, Integer> sessionFor = new HashMap<>();
    private final Map<PeerId, SimulatedLink> links = new HashMap<>();
    /** Members whose con_req this node admitted (they want the link), with when. */
    private final Map<PeerId, Long> requested = new HashMap<>();
    /** Members this node refused over its inbound cap, while they are members. */
    private final Set<PeerId> refusedInbound = new HashSet<>();
    /** Linked, no longer wanted, waiting for the links that replace them. */
    private final Set<PeerId> retiring = new HashSet<>();
    private boolean retireScheduled;
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
        requested.clear();
        refusedInbound.clear();
        retiring.clear();
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
        this.view = view;
        hood.ring(view.ring());
        for (PeerId peer : new ArrayList<>(links.keySet())) {
            if (!view.isMember(indexOf(peer))) {
                close(peer, "peer left the cluster");          // PeerLost: the directory closes it itself
            }
        }
        refusedInbound.removeIf(p -> !view.isMember(indexOf(p)));
        for (PeerId peer : new ArrayList<>(links.keySet())) {
            Integer known = sessionFor.get(peer);
            if (known != null && known != view.incarnation(indexOf(peer))) {
                close(peer, "peer restarted (a new member)");    // the directory's PeerLost, then PeerFound
            }
        }
        reconcile();
    }

    /** Opens a session for every wanted member without one; retires the links nobody here wants any more. */
    private void reconcile() {
        for (PeerId peer : hood.wanted().keySet()) {
            if (!links.containsKey(peer)) {
                open(peer).start(sim.scheduler.now());
            }
        }
        for (PeerId peer : links.keySet()) {
            if (!hood.wanted().containsKey(peer) && !requested.containsKey(peer)) {
                retiring.add(peer);
            }
        }
        retiring.removeIf(p -> hood.wanted().containsKey(p) || requested.containsKey(p) || !links.containsKey(p));
        if (retiring.isEmpty()) {
            return;
        }
        boolean replaced = hood.wanted().keySet().stream().allMatch(p -> links.containsKey(p) && links.get(p).isUp());
        if (replaced) {
            retireNow();
        } else if (!retireScheduled) {
            retireScheduled = true;
            sim.scheduler.after(SimulatedLink.GRACE.toNanos(), new Later(this::retireDue));
        }
    }

    private void retireNow() {
        for (PeerId p : List.copyOf(retiring)) {
            close(p, SimulatedLink.RETIRED);
        }
        retiring.clear();
    }

    /** The grace period is over: retire the rest, and drop requested links that never came up and are not wanted. */
    private void retireDue() {
        retireScheduled = false;
        if (!alive || hood == null) {
            return;
        }
        retireNow();
        long now = sim.scheduler.now();
        for (Map.Entry<PeerId, Long> e : List.copyOf(requested.entrySet())) {
            SimulatedLink l = links.get(e.getKey());
            if ((l == null || !l.isUp()) && !hood.wanted().containsKey(e.getKey())
                    && now - e.getValue() >= SimulatedLink.GRACE.toNanos()) {
                close(e.getKey(), "topology: the link asked for did not come up");
            }
        }
    }

    private SimulatedLink open(PeerId peer) {
        SimulatedLink l = new SimulatedLink(this, ctx, peer, SimNetwork.endpointOf(indexOf(peer)), sim.clock);
        links.put(peer, l);
        sessionFor.put(peer, view.incarnation(indexOf(peer)));
        return l;
    }

    /** Says {@code close} with {@code reason} if up, stops the session, forgets the peer's request. */
    private void close(PeerId peer, String reason) {
        SimulatedLink l = links.remove(peer);
        sessionFor.remove(peer);
        requested.remove(peer);
        retiring.remove(peer);
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
            int i = indexOf(sender);
            if (!(m instanceof ConReq) || hood == null || !view.isMember(i) || refusedInbound.contains(sender)) {
                sim.noSession++;                                 // MemberGate's next sink: NAT traversal, off here
                return;
            }
            requested.putIfAbsent(sender, now);                   // MemberGate admits it: LinkRequested
            l = open(sender);
            l.start(now);
        } else if (m instanceof Close c && SimulatedLink.REFUSED.equals(c.reason())) {
            hood.refusedBy(sender);                              // pick another member for that level
            later(this::reconcile);
        }
        l.feed(new LinkEvent.Control(from, m), now);
    }

    /** The directory's answer to a session's news, one event later (a message to the directory actor). */
    private void later(Runnable r) {
        sim.scheduler.after(0, new Later(r));
    }

    /** A link came up: refuse askers over the cap, and retire what it replaced. */
    private void onLinkUp() {
        if (!alive || hood == null) {
            return;
        }
        if (!requested.isEmpty()) {
            Set<PeerId> incoming = new HashSet<>();
            requested.keySet().forEach(p -> {
                if (links.containsKey(p) && links.get(p).isUp()) {
                    incoming.add(p);
                }
            });
            for (PeerId p : hood.refusals(incoming)) {
                refusedInbound.add(p);
                close(p, SimulatedLink.REFUSED);
            }
        }
        reconcile();
    }

    /** A link went down: one a member asked for and this end does not want closes (the peer asks again if it wants). */
    private void onLinkDown(PeerId peer) {
        if (alive && hood != null && links.containsKey(peer) && requested.containsKey(peer)
                && !hood.wanted().containsKey(peer)) {
            close(peer, "topology: the peer that asked for this link closed it");
        }
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
            later(this::onLinkUp);
            return;
        }
        later(() -> onLinkDown(link.peer()));
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
        if (links.remove(link.peer(), link)) {
            sessionFor.remove(link.peer());
            requested.remove(link.peer());
            retiring.remove(link.peer());
        }
    }

    /** Something the directory does after the current event. */
    private static final class Later extends Scheduler.Event {
        private final Runnable action;

        Later(Runnable action) {
            this.action = action;
        }

        @Override
        void run() {
            action.run();
        }
    }
}
