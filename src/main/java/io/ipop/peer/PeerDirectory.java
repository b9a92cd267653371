package io.ipop.peer;

import io.ipop.dataplane.OverlayPaths;
import io.ipop.counters.DataDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.topology.Topology;
import io.ipop.topology.TopologySettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Knows every peer: spawns a {@link PeerSession} per peer that discovery reports, routes control
 * messages to the session of their sender, and turns the sessions' link-up/down events into the
 * immutable {@link RouteTable} the data plane reads.
 *
 * <p>Reload: {@link Reconfigure} passes the node's new identity and security to every session (and to
 * sessions spawned later), and adds and removes sessions so that the peers from one source are exactly
 * the given ones. A removed peer's session says {@code close} and stops; its link,
 * route and MAC entries go with it. A peer removed and added back before its old session stopped is
 * spawned once the old one has.
 */
public final class PeerDirectory extends AbstractBehavior<PeerDirectory.Command> {

    /** Messages the directory handles. */
    public sealed interface Command {
    }

    /**
     * Discovery found a peer; {@code discoveredBy} says how. {@code address} and {@code mac} are what its source
     * says of the member's overlay address and MAC (the cluster's peer record), null where the source has none
     * (static peers, NAT traversal); the link's own hello stays the authority on them.
     */
    public record PeerFound(PeerId name, Endpoint endpoint, Discovery discoveredBy, OverlayAddress address, MacAddress mac)
            implements Command {
        /** A peer whose source says nothing of its overlay address and MAC. */
        public PeerFound(PeerId name, Endpoint endpoint, Discovery discoveredBy) {
            this(name, endpoint, discoveredBy, null, null);
        }
    }

    /** A member's verified {@code con_req} without a session here ({@link MemberGate}): its topology wants the link. */
    public record LinkRequested(Endpoint from, ControlMessage.ConReq request) implements Command {
    }

    /**
     * Discovery {@code discoveredBy} no longer knows the peer: if that source found it, its session says
     * {@code close} with {@code reason} and stops, and its link, route and MAC entries go. {@code instance} is the
     * incarnation lost (the peer's process instance), or null for any: a cluster peer whose link is up with another
     * instance (it restarted and linked before the cluster removed its old member) keeps the link while its new
     * member joins ({@link Rejoins}).
     */
    public record PeerLost(PeerId name, Discovery discoveredBy, String reason, String instance) implements Command {
        /** Whatever incarnation of the peer. */
        public PeerLost(PeerId name, Discovery discoveredBy, String reason) {
            this(name, discoveredBy, reason, null);
        }
    }

    /** A control message from the underlay; goes to the session of {@code message.node()}. */
    public record ControlReceived(Endpoint from, ControlMessage message) implements Command {
    }

    /** A DTLS record from the underlay; goes to the session of the link with {@code localIndex}. */
    public record DtlsReceived(Endpoint from, int localIndex, byte[] record) implements Command {
    }

    /**
     * A session's link is up (or renewed with a new index, MAC or endpoint); {@code replyTo} hears
     * {@link PeerSession.Unroutable} if the route cannot be taken (its MAC is another link's or this node's).
     */
    public record LinkUp(Route route, ActorRef<PeerSession.Command> replyTo) implements Command {
    }

    /** A session's link is down. */
    public record LinkDown(PeerId peer) implements Command {
    }

    /**
     * A reload: sessions get {@code context} (this node's identity, groups, security), and the peers
     * {@code discoveredBy} this source are now exactly {@code peers}. Tell the policy first.
     */
    public record Reconfigure(LinkContext context, Discovery discoveredBy, List<PeerFound> peers) implements Command {
    }

    /** NAT traversal found more places to probe {@code peer} at (see {@link PeerSession.CandidatesLearned}). */
    public record CandidatesFound(PeerId peer, List<Endpoint> direct, Endpoint relay, PeerId via) implements Command {
    }

    /** {@code peer}'s hello, forwarded by rendezvous {@code via}: signaling only (see {@link PeerSession.Signaled}). */
    public record Signaled(PeerId peer, ControlMessage.Hello hello, PeerId via) implements Command {
    }

    /**
     * Drop the link to {@code peer} and its session, as if removed from the config; only for peers not
     * in the config (NAT traversal forgets nodes that went away: docs/nat.md).
     */
    public record Forget(PeerId peer, String reason) implements Command {
    }

    /**
     * Open an overlay session to member {@code peer} unless it has a session (docs/architecture.md, "Overlay
     * paths"), and hand it {@code message} from {@code from} if there is one (its link setup over the overlay).
     */
    public record OpenOverlay(PeerId peer, Endpoint from, ControlMessage message) implements Command {
    }

    /** {@code peer}'s overlay session earned a direct link (on demand): its session probes the peer's direct candidates. */
    public record WantDirect(PeerId peer) implements Command {
    }

    /** Close every link (peers hear {@code close}), stop the sessions, then reply. */
    public record Shutdown(ActorRef<Done> replyTo) implements Command {
    }

    private record SessionStopped(PeerId peer) implements Command {
    }

    /** The grace period of retiring links ({@link Neighbours#GRACE}) is over. */
    private enum RetireDue implements Command { INSTANCE }

    /** Check the links kept for a restarted peer's new member ({@link Rejoins}). */
    private enum RejoinDue implements Command { INSTANCE }

    private LinkContext linkContext;
    private final Links links;
    private final long ownMac;
    private final Consumer<RouteTable> publishRoutes;
    private final Map<PeerId, ActorRef<PeerSession.Command>> sessions = new HashMap<>();
    private final Map<PeerId, Route> routes = new HashMap<>();
    /** The table last published from {@link #routes}: the MACs up links hold. */
    private RouteTable published = RouteTable.EMPTY;
    /** Sessions told to stop because their peer was removed; their links go once they have stopped. */
    private final Set<PeerId> removing = new HashSet<>();
    /** Peers found again while their old session was still stopping. */
    private final Map<PeerId, PeerFound> pending = new HashMap<>();
    private ActorRef<Done> shutdownReplyTo;
    private final Overlay overlay;
    /** Which members get a link (the topology); static and cluster peers go through it. */
    private final Neighbours neighbours;
    private boolean retireScheduled;
    /** Cluster peers that restarted and linked again before the cluster removed their old member. */
    private final Rejoins rejoins = new Rejoins();

    /** The members overlay sessions may be opened to, and the overlay paths they use. */
    public record Overlay(OverlayMembers members, OverlayPaths paths) {
        public Overlay() {
            this(new OverlayMembers(), new OverlayPaths());
        }
    }

    private PeerDirectory(ActorContext<Command> context, LinkContext linkContext, Links links,
                          Consumer<RouteTable> publishRoutes, Topology topology, Set<PeerId> members, Overlay overlay) {
        super(context);
        this.overlay = overlay;
        this.neighbours = new Neighbours(PeerId.of(linkContext.self().name()), topology, members, System::nanoTime);
        this.linkContext = linkContext;
        this.links = links;
        this.ownMac = linkContext.self().mac().bits();
        this.publishRoutes = publishRoutes;
    }

    /** With the default topology ({@link TopologySettings#DEFAULTS}). */
    public static Behavior<Command> create(LinkContext linkContext, Links links, Consumer<RouteTable> publishRoutes) {
        return create(linkContext, links, publishRoutes, new Topology(TopologySettings.DEFAULTS), ConcurrentHashMap.newKeySet());
    }

    /** @param members filled with the members known (a concurrent set, read by {@link MemberGate}) */
    public static Behavior<Command> create(LinkContext linkContext, Links links, Consumer<RouteTable> publishRoutes,
                                           Topology topology, Set<PeerId> members) {
        return create(linkContext, links, publishRoutes, topology, members, new Overlay());
    }

    /** @param overlay the members overlay sessions may be opened to and their paths (multi-hop) */
    public static Behavior<Command> create(LinkContext linkContext, Links links, Consumer<RouteTable> publishRoutes,
                                           Topology topology, Set<PeerId> members, Overlay overlay) {
        return Behaviors.setup(ctx -> new PeerDirectory(ctx, linkContext, links, publishRoutes, topology, members, overlay));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PeerFound.class, this::onPeerFound)
                .onMessage(PeerLost.class, this::onPeerLost)
                .onMessage(ControlReceived.class, this::onControlReceived)
                .onMessage(DtlsReceived.class, this::onDtlsReceived)
                .onMessage(LinkUp.class, this::onLinkUp)
                .onMessage(LinkDown.class, this::onLinkDown)
                .onMessage(Reconfigure.class, this::onReconfigure)
                .onMessage(CandidatesFound.class, this::onCandidatesFound)
                .onMessage(Signaled.class, this::onSignaled)
                .onMessage(Forget.class, this::onForget)
                .onMessage(OpenOverlay.class, this::onOpenOverlay)
                .onMessage(WantDirect.class, w -> toSession(w.peer(), PeerSession.DirectWanted.INSTANCE))
                .onMessage(Shutdown.class, this::onShutdown)
                .onMessage(SessionStopped.class, this::onSessionStopped)
                .onMessage(LinkRequested.class, this::onLinkRequested)
                .onMessageEquals(RetireDue.INSTANCE, () -> apply(neighbours.retireDue(), true))
                .onMessageEquals(RejoinDue.INSTANCE, this::onRejoinDue)
                .build();
    }

    private Behavior<Command> onPeerFound(PeerFound found) {
        if (found.discoveredBy() == Discovery.CLUSTER) {
            rejoins.found(found.name());
        }
        if (found.discoveredBy() != Discovery.OVERLAY) {
            overlay.members().found(found.name(), found.mac(), found.address());
            overlay.paths().register(found.name());    // its overlay path, for a fallback or an overlay session
        }
        return Neighbours.manages(found) ? apply(neighbours.found(found), false) : link(found);
    }

    /** Opens the session of {@code found} (once the old one has stopped, if it is stopping). */
    private Behavior<Command> link(PeerFound found) {
        if (removing.contains(found.name())) {
            pending.put(found.name(), found);
            return this;
        }
        if (sessions.containsKey(found.name()) || shutdownReplyTo != null) {
            return this;
        }
        PeerLink link = links.open(found.name(), found.discoveredBy(), found.endpoint());
        link.topology(neighbours.role(found.name()));  // a link opened later (pending) shows its role at once
        // A session does I/O through the channel: if it ever throws, restart it with backoff.
        Behavior<PeerSession.Command> session = Behaviors.supervise(
                        PeerSession.create(linkContext, found.name(), found.endpoint(), link, getContext().getSelf()))
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        ActorRef<PeerSession.Command> ref = getContext().spawn(session, "peer-" + found.name());
        getContext().watchWith(ref, new SessionStopped(found.name()));
        sessions.put(found.name(), ref);
        getContext().getLog().info("peer {} at {} ({}): linking", found.name(), found.endpoint(), found.discoveredBy());
        return this;
    }

    private Behavior<Command> onPeerLost(PeerLost lost) {
        if (rejoins.keep(lost, links.get(lost.name()), System.nanoTime())) {
            getContext().getLog().info("peer {}: its old incarnation {} is gone ({}), its link is up with the new one:"
                    + " kept while that joins the cluster", lost.name(), lost.instance(), lost.reason());
            getContext().scheduleOnce(Rejoins.GRACE, getContext().getSelf(), RejoinDue.INSTANCE);
            return this;
        }
        rejoins.forget(lost.name());
        PeerFound again = pending.get(lost.name());
        if (again != null && again.discoveredBy().equals(lost.discoveredBy())) {
            pending.remove(lost.name());
        }
        PeerLink link = links.get(lost.name());
        if (link != null && link.discoveredBy().equals(lost.discoveredBy())) {
            unlink(lost.name(), lost.reason());
        }
        if (lost.discoveredBy() == Discovery.CLUSTER || lost.discoveredBy() == Discovery.STATIC) {
            overlay.members().lost(lost.name());
        }
        return lost.discoveredBy() == Discovery.CLUSTER || lost.discoveredBy() == Discovery.STATIC
                ? apply(neighbours.lost(lost.name(), lost.discoveredBy()), false) : this;
    }

    private Behavior<Command> onRejoinDue() {
        rejoins.due(System.nanoTime()).forEach(this::onPeerLost);
        return this;
    }

    /** Opens and closes what the topology's {@code plan} says, and shows each link's role. */
    private Behavior<Command> apply(Neighbours.Plan plan, boolean retireTick) {
        if (plan == null) {
            return this;
        }
        retireScheduled &= !retireTick;
        plan.unlink().forEach((peer, why) -> {
            pending.remove(peer);
            unlink(peer, why);
        });
        plan.link().forEach(this::link);
        if (plan.retireLater() && !retireScheduled) {
            retireScheduled = true;
            getContext().scheduleOnce(Neighbours.GRACE, getContext().getSelf(), RetireDue.INSTANCE);
        }
        for (PeerLink l : links.all()) {
            l.topology(neighbours.role(l.peer()));
        }
        return this;
    }

    private Behavior<Command> onOpenOverlay(OpenOverlay o) {
        PeerId peer = o.peer();
        if (!sessions.containsKey(peer) && !removing.contains(peer) && shutdownReplyTo == null
                && overlay.members().known(peer) && overlay.paths().register(peer)) {
            link(new PeerFound(peer, OverlayPaths.endpointOf(peer), Discovery.OVERLAY));
        }
        if (o.message() != null) {
            onControlReceived(new ControlReceived(o.from(), o.message()));
        }
        return this;
    }

    private Behavior<Command> onLinkRequested(LinkRequested r) {
        PeerId peer = r.request().sender();
        if (sessions.containsKey(peer) && !removing.contains(peer)) {
            return onControlReceived(new ControlReceived(r.from(), r.request()));
        }
        Neighbours.Plan plan = neighbours.requested(peer);
        if (plan == null) {
            linkContext.counters().drop(DataDrop.TOPOLOGY_REFUSED);
            return this;
        }
        apply(plan, false);
        return onControlReceived(new ControlReceived(r.from(), r.request()));
    }

    /** Tells the peer's session to say {@code close} and stop; its link goes once it has stopped. */
    private void unlink(PeerId peer, String reason) {
        ActorRef<PeerSession.Command> session = sessions.get(peer);
        if (session == null || !removing.add(peer)) {
            return;
        }
        getContext().getLog().info("peer {} removed ({}): unlinking", peer, reason);
        session.tell(new PeerSession.Unlink(reason));
    }

    private Behavior<Command> onControlReceived(ControlReceived m) {
        PeerLink link = links.get(m.message().sender());
        if (m.message() instanceof ControlMessage.Close c && link != null && link.snapshot().state() == LinkState.UP
                && m.from().equals(link.snapshot().endpoint()) && !removing.contains(link.peer())) {
            if (link.discoveredBy() == Discovery.OVERLAY) {
                // an on-demand session the peer closed is not sought again (its hello would open one there that
                // nothing uses): the next frame for the peer opens a new one
                unlink(link.peer(), "peer closed the link: " + c.reason());
                return this;
            }
            Neighbours.Plan plan = neighbours.closedByPeer(link.peer(), c.reason());
            if (plan != null && plan.unlink().containsKey(link.peer())) {
                return apply(plan, false);             // not wanted here either: stop, do not seek the peer again
            }
            apply(plan, false);
        }
        ActorRef<PeerSession.Command> session = sessions.get(m.message().sender());
        if (session != null) {
            session.tell(new PeerSession.ControlReceived(m.from(), m.message()));
        }
        return this;
    }

    private Behavior<Command> onDtlsReceived(DtlsReceived m) {
        PeerLink link = links.byIndex(m.localIndex());
        ActorRef<PeerSession.Command> session = link == null ? null : sessions.get(link.peer());
        if (session != null) {
            session.tell(new PeerSession.DtlsReceived(m.from(), m.record()));
        }
        return this;
    }

    private Behavior<Command> onCandidatesFound(CandidatesFound c) {
        return toSession(c.peer(), new PeerSession.CandidatesLearned(c.direct(), c.relay(), c.via()));
    }

    private Behavior<Command> onSignaled(Signaled s) {
        return toSession(s.peer(), new PeerSession.Signaled(s.hello(), s.via()));
    }

    /** NAT traversal's news for {@code peer}'s session, unless it has none or is being removed. */
    private Behavior<Command> toSession(PeerId peer, PeerSession.Command news) {
        ActorRef<PeerSession.Command> session = sessions.get(peer);
        if (session != null && !removing.contains(peer)) {
            session.tell(news);
        }
        return this;
    }

    private Behavior<Command> onForget(Forget f) {
        ActorRef<PeerSession.Command> session = sessions.get(f.peer());
        PeerLink link = links.get(f.peer());
        if (session == null || link == null || removing.contains(f.peer()) || link.discoveredBy() == Discovery.STATIC) {
            return this;
        }
        getContext().getLog().info("peer {} forgotten: {}", f.peer(), f.reason());
        removing.add(f.peer());
        session.tell(new PeerSession.Unlink(f.reason()));
        return this;
    }

    /** Routes a link, unless its MAC is this node's or another up link's: a MAC is one identity's, on one link. */
    private Behavior<Command> onLinkUp(LinkUp up) {
        Route route = up.route();
        Route holder = published.macHolderOtherThan(route.mac(), route.peer());
        if (route.mac() == ownMac || holder != null) {
            String why = "MAC " + new MacAddress(route.mac()) + " is already "
                    + (holder == null ? "this node's" : "the MAC of the link to " + holder.peer());
            up.replyTo().tell(new PeerSession.Unroutable(why));
            if (routes.remove(route.peer()) != null) {
                publish();
            }
            return this;
        }
        routes.put(route.peer(), route);
        publish();
        return apply(neighbours.linkUp(route.peer()), false);
    }

    private Behavior<Command> onLinkDown(LinkDown down) {
        if (routes.remove(down.peer()) != null) {
            publish();
        }
        return apply(neighbours.linkDown(down.peer()), false);
    }

    private Behavior<Command> onReconfigure(Reconfigure r) {
        linkContext = r.context();
        Map<PeerId, PeerFound> wanted = new HashMap<>();
        r.peers().forEach(p -> wanted.put(p.name(), p));
        for (PeerLink link : links.all()) {
            PeerId peer = link.peer();
            PeerFound found = wanted.get(peer);
            ActorRef<PeerSession.Command> session = sessions.get(peer);
            if (session == null || removing.contains(peer)) {
                continue;
            }
            if (found == null && link.discoveredBy().equals(r.discoveredBy())) {
                unlink(peer, "peer removed from the config of " + linkContext.self().name());
                apply(neighbours.lost(peer, r.discoveredBy()), false);
            } else {
                session.tell(new PeerSession.Reconfigure(linkContext, found == null ? null : found.endpoint()));
            }
        }
        pending.keySet().retainAll(wanted.keySet());
        wanted.values().forEach(this::onPeerFound);
        return this;
    }

    private Behavior<Command> onShutdown(Shutdown s) {
        shutdownReplyTo = s.replyTo();
        sessions.values().forEach(ref -> ref.tell(PeerSession.CloseLink.INSTANCE));
        replyIfShutDown();
        return this;
    }

    private Behavior<Command> onSessionStopped(SessionStopped stopped) {
        PeerId peer = stopped.peer();
        sessions.remove(peer);
        routes.remove(peer);
        publish();
        if (removing.remove(peer)) {
            PeerLink link = links.get(peer);
            links.remove(peer);
            PeerFound again = pending.remove(peer);
            if (again != null) {
                link(again);
            }
        }
        replyIfShutDown();
        return this;
    }

    private void replyIfShutDown() {
        if (shutdownReplyTo != null && sessions.isEmpty()) {
            shutdownReplyTo.tell(Done.getInstance());
        }
    }

    private void publish() {
        published = RouteTable.of(routes.values());
        publishRoutes.accept(published);
    }
}
