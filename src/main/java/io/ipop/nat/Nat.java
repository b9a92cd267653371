package io.ipop.nat;

import io.ipop.counters.DropCounters;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Links;
import io.ipop.peer.PeerDirectory;
import io.ipop.underlay.BirthdaySockets;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What NAT traversal exposes to the management API: STUN (reflexive endpoint, answers), the relayed
 * paths this node uses, on a relay the pairs it relays for, and the link setup that went through
 * rendezvous nodes, and what birthday probing did. Thread-safe to read.
 */
public record Nat(StunService stun, RelayPaths paths, Optional<RelayServer> relay, InboundGate inbound,
                  SignalCounters signaling, Supplier<Optional<BirthdaySockets.Counts>> birthday) {

    /**
     * What NAT traversal works through, besides its settings: the node's links, its control channel and peer
     * directory, the STUN service and the rendezvous signaling the sessions use too, the check that admits
     * unknown nodes (with a replay cache of its own: the session checks the same hello again), and the drop
     * counters.
     */
    public record Ports(Links links, ControlChannel channel, ActorRef<PeerDirectory.Command> directory, StunService stun,
                        RendezvousSignaling signaling, HelloCheck admission, DropCounters counters) {
    }

    /**
     * Starts NAT traversal beside the peer directory: this node's relay (with {@code nat.relay}, on
     * {@code bind}), the {@link NatAgent} (a child of {@code ctx}, restarted on a failure: it relearns from the
     * next announcements) and the {@link InboundGate} the data plane hands unknown nodes' messages to.
     *
     * @param self        this node's name
     * @param staticPeers the names in {@code ipop.peers} (which of them are rendezvous: {@link NatSettings#isRendezvous})
     * @throws IOException if the relay cannot open its socket selector
     */
    public static Nat start(ActorContext<?> ctx, NatSettings settings, String self, List<PeerId> staticPeers,
                            InetAddress bind, Ports ports) throws IOException {
        Optional<RelayServer> relay = settings.relay()
                ? Optional.of(new RelayServer(bind, settings.relayMax()))
                : Optional.empty();
        RelayPaths paths = new RelayPaths();
        NatAgent.Ports agentPorts = new NatAgent.Ports(ports.links(), ports.channel(), ports.directory(), relay, paths,
                ports.signaling());
        ActorRef<NatAgent.Command> agent = ctx.spawn(Behaviors.supervise(NatAgent.create(self, settings, staticPeers,
                agentPorts)).onFailure(SupervisorStrategy.restart()), "nat");
        InboundGate gate = new InboundGate(self, settings, ports.admission(), ports.links(), ports.directory(),
                agent::tell, ports.counters(), System::nanoTime);
        return new Nat(ports.stun(), paths, relay, gate, ports.signaling().counters(), ports.channel()::birthdayCounts);
    }
}
