package io.ipop.nat;

import io.ipop.counters.DataDrop;
import io.ipop.counters.DropCounters;
import io.ipop.dataplane.ControlSink;
import io.ipop.peer.ControlBudget;
import io.ipop.peer.Discovery;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Links;
import io.ipop.peer.PeerDirectory;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Control messages from nodes no link knows (docs/nat.md). With {@code accept-inbound}, a {@code con_req}
 * is admitted, and a session spawned for its sender ({@code discovered_by: inbound}), if:
 * <ol>
 *   <li>admissions are within {@code inbound-rate} per second (burst: twice that): the check below costs a signature
 *       verification, so a flood of fresh names cannot buy unbounded work;</li>
 *   <li>fewer than {@code max-inbound} inbound links exist: state per unknown node is bounded;</li>
 *   <li>the hello passes a {@link HelloCheck} (with its own replay cache, so the session's own check of
 *       the same hello still counts it as first seen): with a certificate, only nodes whose certificate
 *       chains to the overlay CA and whose hello is signed, fresh and addressed to this node.</li>
 * </ol>
 * Everything else from unknown nodes is counted ({@code inbound_refused} or {@code unknown_peer}).
 * NAT messages of known peers go to the {@link NatAgent}. Runs on the receiving thread; never blocks.
 */
public final class InboundGate implements ControlSink {
    private final String self;
    private final boolean accept;
    private final int maxInbound;
    private final HelloCheck check;
    private final Links links;
    private final ActorRef<PeerDirectory.Command> directory;
    private final Consumer<NatAgent.Command> agent;
    private final DropCounters counters;
    private final LongSupplier nanoClock;
    private final ControlBudget admissions;

    /**
     * @param self     this node's name: a hello claiming it is refused
     * @param settings {@code accept-inbound}, {@code max-inbound} and {@code inbound-rate}
     */
    public InboundGate(String self, NatSettings settings, HelloCheck check, Links links,
                       ActorRef<PeerDirectory.Command> directory, Consumer<NatAgent.Command> agent,
                       DropCounters counters, LongSupplier nanoClock) {
        this.self = self;
        this.accept = settings.acceptInbound();
        this.maxInbound = settings.maxInbound();
        this.admissions = new ControlBudget(settings.inboundRate(), 2 * settings.inboundRate());
        this.check = check;
        this.links = links;
        this.directory = directory;
        this.agent = agent;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean control(Endpoint from, ControlMessage message) {
        if (message instanceof ControlMessage.NatMessage nat && links.knows(message.sender())) {
            agent.accept(new NatAgent.Received(from, nat));
            return true;
        }
        if (!accept || !(message instanceof ConReq req)) {
            return false;
        }
        if (req.node().equals(self) || !admissions.take("inbound", false, nanoClock.getAsLong())
                || inboundLinks() >= maxInbound
                || !(check.check(req) instanceof HelloCheck.Accepted)) {
            counters.drop(DataDrop.INBOUND_REFUSED);
            return true;
        }
        directory.tell(new PeerDirectory.PeerFound(req.sender(), from, Discovery.INBOUND));
        directory.tell(new PeerDirectory.ControlReceived(from, req));
        return true;
    }

    @Override
    public boolean dtls(Endpoint from, int localIndex, byte[] record) {
        return false;
    }

    public int inboundLinks() {
        return (int) links.all().stream().filter(l -> l.discoveredBy() == Discovery.INBOUND).count();
    }
}
