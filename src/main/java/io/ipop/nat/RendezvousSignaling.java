package io.ipop.nat;

import io.ipop.counters.DropCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.peer.ControlBudget;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.LinkState;
import io.ipop.peer.Links;
import io.ipop.peer.PeerLink;
import io.ipop.peer.Signaling;
import io.ipop.wire.ControlMessage.Fwd;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A node's own side of link setup through a rendezvous (docs/nat.md; the rendezvous's side is
 * {@link SignalForwarder}):
 * <ul>
 *   <li><b>out</b>: a session's hello for a peer it cannot reach yet goes in a {@code fwd} to each
 *       rendezvous peer that forwards link setup — one named in {@code nat.rendezvous}, or one that
 *       announced peers (it runs {@code accept-inbound}) — over its up link;</li>
 *   <li><b>in</b>: a hello a rendezvous passes on is taken only from a rendezvous peer, over its up link
 *       and from that link's endpoint, for a peer this node knows or can still follow, within
 *       {@value #RATE} a second per rendezvous (bursts of {@value #BURST}): each costs a signature check
 *       in the peer's session and may spawn one. The session then checks the hello end to end and takes
 *       it as signaling only.</li>
 * </ul>
 * Refusals are counted (stage {@code signaling}). Thread-safe: sessions call {@link #forward} from their
 * actors, the {@link NatAgent} the rest.
 */
public final class RendezvousSignaling implements Signaling {
    /**
     * Forwarded hellos taken per rendezvous per second (burst twice that). Constants: link setup needs a few per
     * peer; the budget only stops a rendezvous from flooding, and no operator choice changes what is enough.
     */
    static final int RATE = 20;
    static final int BURST = 40;

    private final String self;
    private final Links links;
    private final ControlChannel channel;
    private final DropCounters drops;
    private final SignalCounters counters;
    private final LongSupplier nanoClock;
    /** Rendezvous peers that forward link setup (bounded by the static peers: only those are added). */
    private final Set<PeerId> forwarding = ConcurrentHashMap.newKeySet();
    private final ControlBudget budget = new ControlBudget(RATE, BURST);

    /** @param named the rendezvous of {@code nat.rendezvous}: forwarding is used through them without waiting for an announcement */
    public RendezvousSignaling(String self, List<PeerId> named, Links links, ControlChannel channel,
                               DropCounters drops, SignalCounters counters, LongSupplier nanoClock) {
        this.self = self;
        this.links = links;
        this.channel = channel;
        this.drops = drops;
        this.counters = counters;
        this.nanoClock = nanoClock;
        forwarding.addAll(named);
    }

    public SignalCounters counters() {
        return counters;
    }

    DropCounters drops() {
        return drops;
    }

    /** Rendezvous peer {@code name} announced peers, so it forwards link setup too. */
    void forwards(PeerId name) {
        forwarding.add(name);
    }

    @Override
    public boolean canForward(PeerId peer) {
        for (PeerId rendezvous : forwarding) {
            PeerLink link = links.get(rendezvous);
            if (!rendezvous.equals(peer) && link != null && link.snapshot().state() == LinkState.UP) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void forward(PeerId peer, Supplier<? extends Hello> hello) {
        Fwd fwd = null;
        for (PeerId rendezvous : forwarding) {
            PeerLink link = links.get(rendezvous);
            if (rendezvous.equals(peer) || link == null || link.snapshot().state() != LinkState.UP) {
                continue;
            }
            if (fwd == null) {
                fwd = Fwd.toward(self, peer.name(), hello.get());
            }
            if (send(channel, fwd, link, drops)) {
                counters.sent();
            }
        }
    }

    /**
     * A hello a rendezvous passed on ({@code fwd.from()} set): the hello to hand to its sender's
     * session, or null (counted).
     *
     * @param via        the up link of the {@code fwd}'s sender, if it came from that link's endpoint; else null
     * @param rendezvous the {@code fwd}'s sender is one of this node's rendezvous peers
     * @param followable the hello's sender is a peer this node knows, or one it can still follow
     */
    Hello receive(PeerLink via, boolean rendezvous, boolean followable, Fwd fwd) {
        if (via == null) {
            drops.drop(SetupDrop.SIGNAL_NOT_FROM_LINK);
            return null;
        }
        if (!rendezvous || !followable || fwd.from().equals(self)) {
            drops.drop(SetupDrop.SIGNAL_REFUSED);
            return null;
        }
        if (!budget.take(via.peer().name(), true, nanoClock.getAsLong())) {
            drops.drop(SetupDrop.SIGNAL_OVER_BUDGET);
            return null;
        }
        counters.received();
        return fwd.msg();
    }

    /** Sends {@code fwd} over {@code link}; false (counted) if it does not fit one control frame. */
    static boolean send(ControlChannel channel, Fwd fwd, PeerLink link, DropCounters drops) {
        try {
            channel.send(fwd, link.snapshot().endpoint());
            return true;
        } catch (IllegalArgumentException tooLarge) {
            drops.drop(SetupDrop.SIGNAL_TOO_LARGE);
            return false;
        }
    }
}
