package io.ipop.peer;

import io.ipop.counters.DataDrop;
import io.ipop.counters.DropCounters;
import io.ipop.dataplane.ControlSink;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@code con_req} from a member this node has no session with (docs/architecture.md, "Topology"): the
 * member's topology wants the link, so this node answers ({@link Neighbours#requested}). It is admitted, and the
 * directory told, only if:
 * <ol>
 *   <li>the sender is a member (found through the cluster directory or the config), never this node;</li>
 *   <li>admissions stay within {@value #RATE} per second (burst twice that): the next check may cost a
 *       signature verification;</li>
 *   <li>the hello passes a {@link HelloCheck} with its own replay cache (with a certificate: chains to the
 *       overlay CA, signed, fresh, addressed to this node), so a forged request in a member's name opens nothing.</li>
 * </ol>
 * Refusals are counted ({@code topology_refused}); everything else goes on to {@code next} (NAT traversal's gate).
 * Runs on the receiving thread; never blocks.
 */
public final class MemberGate implements ControlSink {
    /** Admissions per second. */
    static final int RATE = 50;

    private final PeerId self;
    private final Set<PeerId> members;
    private final HelloCheck check;
    private final ActorRef<PeerDirectory.Command> directory;
    private final DropCounters counters;
    private final LongSupplier nanoClock;
    private final ControlSink next;
    private final ControlBudget admissions = new ControlBudget(RATE, 2 * RATE);

    /** @param members the directory's members, a concurrent set ({@link PeerDirectory#create}) */
    public MemberGate(PeerId self, Set<PeerId> members, HelloCheck check, ActorRef<PeerDirectory.Command> directory,
                      DropCounters counters, LongSupplier nanoClock, ControlSink next) {
        this.self = self;
        this.members = members;
        this.check = check;
        this.directory = directory;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.next = next;
    }

    @Override
    public boolean control(Endpoint from, ControlMessage message) {
        if (!(message instanceof ConReq req) || !members.contains(req.sender()) || req.sender().equals(self)) {
            return next.control(from, message);
        }
        if (!admissions.take("members", false, nanoClock.getAsLong()) || !(check.check(req) instanceof HelloCheck.Accepted)) {
            counters.drop(DataDrop.TOPOLOGY_REFUSED);
            return true;
        }
        directory.tell(new PeerDirectory.LinkRequested(from, req));
        return true;
    }

    @Override
    public boolean dtls(Endpoint from, int localIndex, byte[] record) {
        return next.dtls(from, localIndex, record);
    }
}
