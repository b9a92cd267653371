package io.ipop.nat;

import io.ipop.counters.DropCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.peer.ControlBudget;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.LinkState;
import io.ipop.peer.Links;
import io.ipop.peer.PeerLink;
import io.ipop.wire.ControlMessage.Fwd;
import io.ipop.wire.PeerId;
import java.util.function.LongSupplier;

/**
 * A rendezvous's part in link setup between two nodes that cannot reach each other yet (docs/nat.md):
 * it passes the {@code con_req}/{@code con_resp} one linked node sends it ({@code fwd} with {@code to})
 * on to another ({@code fwd} with {@code from}), unchanged. It checks no signature: the hello is signed
 * by its sender and names its receiver, who checks it end to end. Rules, in order, each refusal counted
 * (stage {@code signaling}):
 * <ol>
 *   <li>the sender has an up link with this node and sent from that link's endpoint ({@code not_from_link});</li>
 *   <li>this node accepts inbound links, i.e. is a rendezvous ({@code refused});</li>
 *   <li>the target is another node this node has a link with ({@code unknown_target}), and that link is
 *       up ({@code target_not_linked});</li>
 *   <li>the sender stays within {@value #RATE} a second, bursts of {@value #BURST} ({@code over_budget});</li>
 *   <li>passed on, it still fits one control frame ({@code too_large}).</li>
 * </ol>
 * Runs in the {@link NatAgent}.
 */
final class SignalForwarder {
    /** {@code fwd}s passed on per sender per second (burst twice that); constants for the reason in RendezvousSignaling. */
    static final int RATE = 20;
    static final int BURST = 40;

    private final String self;
    private final boolean rendezvous;
    private final Links links;
    private final ControlChannel channel;
    private final DropCounters drops;
    private final SignalCounters counters;
    private final LongSupplier nanoClock;
    private final ControlBudget budget = new ControlBudget(RATE, BURST);

    /** @param rendezvous this node accepts inbound links ({@code nat.accept-inbound}): only then does it forward */
    SignalForwarder(String self, boolean rendezvous, Links links, ControlChannel channel, DropCounters drops,
                    SignalCounters counters, LongSupplier nanoClock) {
        this.self = self;
        this.rendezvous = rendezvous;
        this.links = links;
        this.channel = channel;
        this.drops = drops;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /**
     * A {@code fwd} toward {@code fwd.to()}.
     *
     * @param from the sender's up link, if the {@code fwd} came from that link's endpoint; else null
     */
    void forward(PeerLink from, Fwd fwd) {
        if (from == null) {
            drops.drop(SetupDrop.SIGNAL_NOT_FROM_LINK);
            return;
        }
        if (!rendezvous) {
            drops.drop(SetupDrop.SIGNAL_REFUSED);
            return;
        }
        PeerLink target = links.get(PeerId.of(fwd.to()));
        if (target == null || target == from || fwd.to().equals(self)) {
            drops.drop(SetupDrop.SIGNAL_UNKNOWN_TARGET);
            return;
        }
        if (target.snapshot().state() != LinkState.UP) {
            drops.drop(SetupDrop.SIGNAL_TARGET_NOT_LINKED);
            return;
        }
        if (!budget.take(from.peer().name(), true, nanoClock.getAsLong())) {
            drops.drop(SetupDrop.SIGNAL_OVER_BUDGET);
            return;
        }
        if (RendezvousSignaling.send(channel, Fwd.passedOn(self, from.peer().name(), fwd.msg()), target, drops)) {
            counters.forwarded();
        }
    }
}
