package io.ipop.peer;

import io.ipop.counters.DataDrop;
import io.ipop.counters.Drop;
import io.ipop.counters.DropCounters;
import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.PeerId;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hands what the inbound path decodes for the control plane to the {@link PeerDirectory}, after a
 * lock-free check against {@link Links} so traffic for unknown peers never reaches an actor mailbox,
 * and within each peer's {@link ControlBudget}: what is over it is dropped here and counted
 * ({@link Drop#CONTROL_OVER_BUDGET}), so a flood in a known peer's name cannot pile up in a mailbox.
 *
 * <p>NAT traversal ({@code nat}): the NAT messages of known peers go there instead of to the directory,
 * and so does whatever comes from a peer no link knows (a rendezvous may accept it).
 */
public final class DirectoryControlSink implements ControlSink {
    /** The budget bucket of link setup over the overlay from members without a session (names are tokens: no clash). */
    private static final String OVERLAY_BUDGET = "overlay:open";
    private final Links links;
    private final ActorRef<PeerDirectory.Command> directory;
    private final ControlBudget budget;
    private final DropCounters counters;
    private final LongSupplier nanoClock;
    private final ControlSink nat;
    private final OverlayMembers members;

    public DirectoryControlSink(Links links, ActorRef<PeerDirectory.Command> directory, ControlBudget budget,
                                DropCounters counters, LongSupplier nanoClock) {
        this(links, directory, budget, counters, nanoClock, REFUSE);
    }

    public DirectoryControlSink(Links links, ActorRef<PeerDirectory.Command> directory, ControlBudget budget,
                                DropCounters counters, LongSupplier nanoClock, ControlSink nat) {
        this(links, directory, budget, counters, nanoClock, nat, new OverlayMembers());
    }

    /** @param members who may open an overlay session to this node with a {@code con_req} over the overlay */
    public DirectoryControlSink(Links links, ActorRef<PeerDirectory.Command> directory, ControlBudget budget,
                                DropCounters counters, LongSupplier nanoClock, ControlSink nat, OverlayMembers members) {
        this.members = members;
        this.nat = nat;
        this.links = links;
        this.directory = directory;
        this.budget = budget;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    @Override
    public boolean control(Endpoint from, ControlMessage message) {
        PeerLink link = links.get(message.sender());
        if (link == null && OverlayPaths.isOverlay(from)) {
            return overlayHello(from, message);
        }
        if (link == null) {
            return nat.control(from, message);
        }
        if (!withinBudget(link, from)) {
            return true;
        }
        if (message instanceof ControlMessage.NatMessage) {
            nat.control(from, message);
        } else {
            directory.tell(new PeerDirectory.ControlReceived(from, message));
        }
        return true;
    }

    @Override
    public boolean dtls(Endpoint from, int localIndex, byte[] record) {
        PeerLink link = links.byIndex(localIndex);
        if (link == null) {
            return false;
        }
        if (withinBudget(link, from)) {
            directory.tell(new PeerDirectory.DtlsReceived(from, localIndex, record));
        }
        return true;
    }

    /**
     * A member's {@code con_req} over the overlay, to a node with no session for it: the directory opens an
     * overlay session and hands it the request (which its hello check then verifies), within one budget for
     * all such requests. Anything else from an overlay path without a session is an unknown peer's.
     */
    private boolean overlayHello(Endpoint from, ControlMessage message) {
        if (!(message instanceof ControlMessage.ConReq) || !members.known(message.sender())) {
            return false;
        }
        if (budget.take(OVERLAY_BUDGET, false, nanoClock.getAsLong())) {
            directory.tell(new PeerDirectory.OpenOverlay(message.sender(), from, message));
        } else {
            counters.drop(DataDrop.CONTROL_OVER_BUDGET);
        }
        return true;
    }

    private boolean withinBudget(PeerLink link, Endpoint from) {
        boolean fromLink = from.equals(link.snapshot().endpoint());
        if (budget.take(link.peer().name(), fromLink, nanoClock.getAsLong())) {
            if (fromLink) {
                link.counters().controlReceived();
            }
            return true;
        }
        counters.drop(DataDrop.CONTROL_OVER_BUDGET);
        return false;
    }
}
