package io.ipop.nat;

import io.ipop.peer.ControlChannel;
import io.ipop.peer.Discovery;
import io.ipop.peer.LinkSnapshot;
import io.ipop.peer.LinkState;
import io.ipop.peer.Links;
import io.ipop.peer.PeerDirectory;
import io.ipop.peer.PeerLink;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.AnnouncedPeer;
import io.ipop.wire.ControlMessage.Fwd;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.ControlMessage.NatMessage;
import io.ipop.wire.ControlMessage.Peers;
import io.ipop.wire.ControlMessage.RelayOk;
import io.ipop.wire.ControlMessage.RelayReq;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The node's part in NAT traversal beyond STUN (docs/nat.md), in three roles:
 * <ol>
 *   <li><b>rendezvous</b> ({@code accept-inbound}): every {@code announce-interval} tells each up link
 *       about the others ({@code peers}: name, overlay address, candidates: {@link Announcements}), and
 *       passes link setup between them ({@code fwd}: {@link SignalForwarder});</li>
 *   <li><b>node behind NAT</b>: follows the announcements of its rendezvous peers — a peer it has no
 *       link with gets a session ({@code discovered_by: rendezvous:NAME}) that probes the announced
 *       candidates, which is what both sides do at once, so their probes punch through both NATs; so
 *       does a peer whose hello a rendezvous passed on ({@link RendezvousSignaling}); a
 *       peer still not up after {@code direct-timeout} is asked for at a relay ({@code relay_req}), and
 *       the relayed endpoint of the answer ({@code relay_ok}) becomes one more candidate;</li>
 *   <li><b>relay</b> ({@code relay}): answers {@code relay_req} between two up links with a
 *       {@link RelayServer} pair, telling both ends their port.</li>
 * </ol>
 * NAT messages are believed only from up links, from the endpoint the link uses; announcements and
 * relays only from rendezvous peers. They are unauthenticated hints: the links they lead to are set up
 * with signed hellos end to end. At most {@value #MAX_DISCOVERED} peers are followed.
 */
public final class NatAgent extends AbstractBehavior<NatAgent.Command> {
    /** {@code discovered_by} of links accepted from unknown nodes. */
    static final int MAX_DISCOVERED = 256;
    /** The agent's clock tick: relay retries and forgetting are checked this often (a resolution, not a tunable). */
    private static final Duration TICK = Duration.ofSeconds(1);

    /** Messages of the agent. */
    public sealed interface Command {
    }

    /** A NAT message from a known peer, handed over by the inbound path. */
    public record Received(Endpoint from, NatMessage message) implements Command {
    }

    private enum Tick implements Command { INSTANCE }

    private enum Announce implements Command { INSTANCE }

    /** A peer followed from a rendezvous: when, and when a relay was last asked for it. */
    private static final class Followed {
        final long since;
        long relayAsked;

        Followed(long since) {
            this.since = since;
        }
    }

    private final String self;
    private final NatSettings settings;
    private final List<PeerId> staticPeers;
    private final Links links;
    private final ControlChannel channel;
    private final ActorRef<PeerDirectory.Command> directory;
    private final Optional<RelayServer> relay;
    private final RelayPaths paths;
    private final RendezvousSignaling signaling;
    private final SignalForwarder forwarder;
    private final Announcements announcements;
    private final Duration forgetAfter;
    private final Map<PeerId, Followed> followed = new HashMap<>();
    /** Rendezvous peers that said they relay. */
    private final Map<PeerId, Boolean> relays = new HashMap<>();

    /**
     * What the agent works through: the node's up links, the control channel, the peer directory, this node's relay
     * (if it relays), the relayed paths it uses, and its link setup through rendezvous nodes.
     */
    public record Ports(Links links, ControlChannel channel, ActorRef<PeerDirectory.Command> directory,
                        Optional<RelayServer> relay, RelayPaths paths, RendezvousSignaling signaling) {
    }

    private NatAgent(ActorContext<Command> context, String self, NatSettings settings, List<PeerId> staticPeers, Ports ports) {
        super(context);
        this.signaling = ports.signaling();
        this.forwarder = new SignalForwarder(self, settings.acceptInbound(), ports.links(), ports.channel(),
                signaling.drops(), signaling.counters(), System::nanoTime);
        this.announcements = new Announcements(self, ports.relay().isPresent());
        this.forgetAfter = settings.forgetAfter();
        this.self = self;
        this.settings = settings;
        this.staticPeers = List.copyOf(staticPeers);
        this.links = ports.links();
        this.channel = ports.channel();
        this.directory = ports.directory();
        this.relay = ports.relay();
        this.paths = ports.paths();
    }

    /** @param staticPeers the names in {@code ipop.peers} (which of them are rendezvous: {@link NatSettings#isRendezvous}) */
    public static Behavior<Command> create(String self, NatSettings settings, List<PeerId> staticPeers, Ports ports) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            if (settings.acceptInbound()) {
                timers.startTimerWithFixedDelay(Announce.INSTANCE, settings.announceInterval());
            }
            return new NatAgent(ctx, self, settings, staticPeers, ports);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Received.class, this::onReceived)
                .onMessageEquals(Announce.INSTANCE, this::onAnnounce)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onReceived(Received r) {
        PeerId sender = r.message().sender();
        PeerLink link = links.get(sender);
        if (link != null && (link.snapshot().state() != LinkState.UP || !r.from().equals(link.snapshot().endpoint()))) {
            link = null;                                // only from an up link's own endpoint
        }
        if (r.message() instanceof Fwd fwd) {
            onFwd(link, fwd);
            return this;
        }
        if (link == null) {
            return this;
        }
        if (r.message() instanceof RelayReq req && relay.isPresent()) {
            onRelayReq(link, req);
        } else if (settings.isRendezvous(sender, staticPeers)) {
            if (r.message() instanceof Peers peers) {
                onPeers(sender, peers);
            } else if (r.message() instanceof RelayOk ok) {
                onRelayOk(link, ok);
            }
        }
        return this;
    }

    // ---- rendezvous: announcements; link setup passed on between linked nodes -------------------------------

    private Behavior<Command> onAnnounce() {
        List<PeerLink> up = upLinks();
        for (PeerLink to : up) {
            for (Peers peers : announcements.to(to, up, paths)) {
                channel.send(peers, to.snapshot().endpoint());
            }
        }
        return this;
    }

    /** A {@code fwd}: toward another node (this node as rendezvous), or passed on to this node by its rendezvous. */
    private void onFwd(PeerLink via, Fwd fwd) {
        if (fwd.to() != null) {
            forwarder.forward(via, fwd);
            return;
        }
        PeerId peer = PeerId.of(fwd.from());
        boolean known = links.knows(peer);
        boolean followable = known || (followed.size() < MAX_DISCOVERED && fwd.msg().cands() != null);
        Hello hello = signaling.receive(via, via != null && settings.isRendezvous(via.peer(), staticPeers), followable, fwd);
        if (hello == null) {
            return;
        }
        if (!known) {
            // its first candidate is the endpoint its session probes first: never the rendezvous's address
            getContext().getLog().info("{} passes on link setup from {}: linking", via.peer(), peer);
            directory.tell(new PeerDirectory.PeerFound(peer, Endpoint.parse(hello.cands().get(0)), Discovery.rendezvous(via.peer())));
            followed.put(peer, new Followed(System.nanoTime()));
        }
        directory.tell(new PeerDirectory.Signaled(peer, hello, via.peer()));
    }

    private List<PeerLink> upLinks() {
        return links.all().stream().filter(l -> l.snapshot().state() == LinkState.UP && l.snapshot().remote() != null)
                .toList();
    }

    // ---- node behind NAT: following announcements, asking for relays ----------------------------------------

    private void onPeers(PeerId rendezvous, Peers peers) {
        relays.put(rendezvous, peers.relay());
        signaling.forwards(rendezvous);
        for (AnnouncedPeer p : peers.peers()) {
            if (p.name().equals(self)) {
                continue;
            }
            PeerId name = PeerId.of(p.name());
            List<Endpoint> cands = new ArrayList<>();
            for (String c : p.cands()) {
                cands.add(Endpoint.parse(c));               // IPv4 literals, checked by the codec: no lookup
            }
            if (!links.knows(name)) {
                if (followed.size() >= MAX_DISCOVERED) {
                    continue;
                }
                getContext().getLog().info("{} announces {} at {}: linking", rendezvous, name, cands);
                directory.tell(new PeerDirectory.PeerFound(name, cands.get(0), Discovery.rendezvous(rendezvous)));
                followed.put(name, new Followed(System.nanoTime()));
            }
            directory.tell(new PeerDirectory.CandidatesFound(name, cands, null, null));
        }
    }

    private Behavior<Command> onTick() {
        forgetGone();
        long now = System.nanoTime();
        followed.entrySet().removeIf(e -> !links.knows(e.getKey()));
        for (Map.Entry<PeerId, Followed> e : followed.entrySet()) {
            PeerLink link = links.get(e.getKey());
            if (link == null) {
                continue;                               // removed since the sweep above
            }
            Followed f = e.getValue();
            boolean up = link.snapshot().state() == LinkState.UP || link.snapshot().state() == LinkState.HANDSHAKING;
            if (up || now - f.since < settings.directTimeout().toNanos()
                    || (f.relayAsked != 0 && now - f.relayAsked < settings.relayRetry().toNanos())) {
                continue;
            }
            PeerLink relayLink = relayLink();
            if (relayLink != null) {
                f.relayAsked = now;
                getContext().getLog().info("no direct path to {} after {}: asking relay {}", e.getKey(),
                        settings.directTimeout(), relayLink.peer());
                channel.send(new RelayReq(self, e.getKey().name()), relayLink.snapshot().endpoint());
            }
        }
        return this;
    }

    /**
     * Links to nodes not in the config (inbound, or announced) that have been down for
     * {@code forgetAfter}: the node went away for good, or its name now lives elsewhere. Their sessions
     * would otherwise keep reconnecting forever; a node that comes back is admitted or announced again.
     */
    private void forgetGone() {
        java.time.Instant cutoff = java.time.Instant.now().minus(forgetAfter);
        for (PeerLink l : links.all()) {
            LinkSnapshot s = l.snapshot();
            boolean learned = l.discoveredBy() == Discovery.INBOUND || l.discoveredBy() instanceof Discovery.Rendezvous;
            boolean down = s.state() == LinkState.CONNECTING || s.state() == LinkState.LOST;
            if (learned && down && !s.since().isAfter(cutoff)) {
                followed.remove(l.peer());
                directory.tell(new PeerDirectory.Forget(l.peer(), "down for " + forgetAfter.toMinutes()
                        + " min and not in this node's config"));
            }
        }
    }

    /** An up link to a rendezvous that relays, or null. */
    private PeerLink relayLink() {
        for (Map.Entry<PeerId, Boolean> r : relays.entrySet()) {
            PeerLink l = links.get(r.getKey());
            if (r.getValue() && l != null && l.snapshot().state() == LinkState.UP) {
                return l;
            }
        }
        return null;
    }

    private void onRelayOk(PeerLink relayLink, RelayOk ok) {
        if (ok.peer().equals(self)) {
            return;
        }
        PeerId peer = PeerId.of(ok.peer());
        Endpoint relayed = Endpoint.of(relayLink.snapshot().endpoint().address().getAddress(), ok.port());
        paths.put(relayed, relayLink.peer());
        if (!links.knows(peer)) {
            if (followed.size() >= MAX_DISCOVERED) {
                return;
            }
            directory.tell(new PeerDirectory.PeerFound(peer, relayed, Discovery.rendezvous(relayLink.peer())));
            followed.put(peer, new Followed(System.nanoTime()));
        }
        getContext().getLog().info("relay {} offers {} for {}", relayLink.peer(), relayed, peer);
        directory.tell(new PeerDirectory.CandidatesFound(peer, List.of(), relayed, relayLink.peer()));
    }

    // ---- relay ----------------------------------------------------------------------------------------------------

    private void onRelayReq(PeerLink from, RelayReq req) {
        PeerLink target = links.get(PeerId.of(req.peer()));
        if (target == null || target == from || target.snapshot().state() != LinkState.UP) {
            return;
        }
        Endpoint a = from.snapshot().endpoint();
        Endpoint b = target.snapshot().endpoint();
        try {
            int[] ports = relay.orElseThrow().allocate(from.peer(), a.address().getAddress(), target.peer(),
                    b.address().getAddress());
            if (ports.length == 0) {
                getContext().getLog().warn("relay refuses {} <-> {}: relay-max pairs, or {} asked for {} already", from.peer(),
                        target.peer(), from.peer(), RelayServer.MAX_PER_REQUESTER);
                return;
            }
            channel.send(new RelayOk(self, target.peer().name(), ports[0]), a);
            channel.send(new RelayOk(self, from.peer().name(), ports[1]), b);
        } catch (IOException e) {
            getContext().getLog().warn("cannot open relay ports for {} <-> {}: {}", from.peer(), target.peer(), e.getMessage());
        }
    }
}
