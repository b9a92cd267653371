package io.ipop.peer;

import io.ipop.route.Route;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.event.Level;

/**
 * One production {@link LinkMachine} behind in-memory ports, for the simulation (bench/simulate.sh,
 * {@code io.ipop.sim}): it is the machine's {@link LinkEffect.Port} and hands every effect to a {@link Host}
 * (the simulated node: its network, its scheduler, its route table). Plaintext only: the policy answers
 * {@link #PLAIN} at once, and a machine that asks for a DTLS handshake is a bug of the simulation's setup.
 * Lives in this package because the port names the package-private {@code LinkHandshake.Run}.
 *
 * <p>Not thread-safe: the simulation is one thread.
 */
public final class SimulatedLink implements LinkEffect.Port {
    /** The decision every simulated node makes: plaintext (the simulation runs without certificates). */
    public static final SecurityDecision PLAIN = new SecurityDecision(false, "simulation: plaintext");

    /** {@code Neighbours.REFUSED}: the close reason of a member over the inbound cap (the asker picks another). */
    public static final String REFUSED = Neighbours.REFUSED;
    /** {@code Neighbours.RETIRED}: the close reason of a link the topology no longer wants. */
    public static final String RETIRED = Neighbours.RETIRED;
    /** {@code Neighbours.GRACE}: how long a retiring link waits for its replacements. */
    public static final Duration GRACE = Neighbours.GRACE;

    /** What a simulated node does with its links' effects. */
    public interface Host {
        /** A control message (or, {@code message} null, a raw datagram) {@code link} sends to {@code to}. */
        void send(SimulatedLink link, ControlMessage message, Endpoint to);

        /** Deliver {@code timer}'s tick to {@code link} after {@code delay}, every {@code delay} if {@code repeat}. */
        void startTimer(SimulatedLink link, LinkMachine.Timer timer, Duration delay, boolean repeat);

        /** The link now routes ({@code up}) or routes nothing. */
        void routed(SimulatedLink link, boolean up);

        /** The machine stopped. */
        void stopped(SimulatedLink link);
    }

    private final Host host;
    private final LinkMachine machine;
    private final PeerLink link;
    /** Bumped by every start and cancel of a timer: a queued tick of an older generation is stale. */
    private final int[] generation = new int[LinkMachine.Timer.values().length];
    /** The policy's questions not answered yet (null: none); answered in order after the event's effects. */
    private ArrayDeque<LinkMachine.Question> questions;
    private boolean up;

    /** A link from the node of {@code ctx} to {@code peer} at {@code endpoint}, found through the cluster directory. */
    public SimulatedLink(Host host, LinkContext ctx, PeerId peer, Endpoint endpoint, Clock clock) {
        this.host = host;
        this.link = PeerLink.connecting(peer, Discovery.CLUSTER, Links.randomIndex(), endpoint);
        this.machine = new LinkMachine(ctx, peer, endpoint, link, clock);
    }

    public PeerId peer() {
        return link.peer();
    }

    /** True while the link routes (the machine said {@code Routed} last). */
    public boolean isUp() {
        return up;
    }

    /** The current generation of {@code timer}: a tick scheduled under another one is dropped. */
    public int generation(LinkMachine.Timer timer) {
        return generation[timer.ordinal()];
    }

    /** Feeds {@code event} at {@code nowNanos}, carries out its effects, and answers the policy's questions at once. */
    public void feed(LinkEvent event, long nowNanos) {
        List<LinkEffect> effects = machine.handle(event, nowNanos);
        for (LinkEffect e : effects) {
            e.to(this);
        }
        while (questions != null && !questions.isEmpty()) {
            LinkMachine.Question q = questions.poll();
            for (LinkEffect e : machine.handle(new LinkEvent.Decided(q, PLAIN), nowNanos)) {
                e.to(this);
            }
        }
    }

    /** The node's process died: no tick of this machine's is to arrive any more, and nothing is said. */
    public void abandon() {
        for (LinkMachine.Timer t : LinkMachine.Timer.values()) {
            generation[t.ordinal()]++;
        }
    }

    /** Starts the link: its first {@code con_req}s go out. */
    public void start(long nowNanos) {
        feed(LinkEvent.Start.INSTANCE, nowNanos);
    }

    @Override
    public void send(ControlMessage message, Endpoint to) {
        host.send(this, message, to);
    }

    /** A TTL-limited opener dies before the peer's NAT: counted as sent, delivered nowhere. */
    @Override
    public void sendLimited(ControlMessage message, Endpoint to, int ttl) {
        host.send(this, null, null);
    }

    @Override
    public void sendRaw(byte[] datagram, Endpoint to) {
        host.send(this, null, to);
    }

    @Override
    public void forward(Supplier<? extends Hello> hello) {
        // no rendezvous in the simulation: nothing is built, nothing sent
    }

    @Override
    public void startTimer(LinkMachine.Timer timer, Duration delay, boolean repeat) {
        generation[timer.ordinal()]++;
        host.startTimer(this, timer, delay, repeat);
    }

    @Override
    public void cancelTimer(LinkMachine.Timer timer) {
        generation[timer.ordinal()]++;
    }

    @Override
    public void askPolicy(Optional<PeerIdentity> verified, LinkMachine.Question question) {
        if (questions == null) {
            questions = new ArrayDeque<>(2);
        }
        questions.add(question);
    }

    @Override
    public void startHandshake(LinkHandshake.Run run) {
        throw new IllegalStateException("the simulation runs plaintext links only");
    }

    @Override
    public void feedHandshake(LinkHandshake.Run run, byte[] record) {
        throw new IllegalStateException("the simulation runs plaintext links only");
    }

    @Override
    public void cancelHandshake(LinkHandshake.Run run) {
    }

    @Override
    public void routed(Route route) {
        if (!up) {
            up = true;
            host.routed(this, true);
        }
    }

    @Override
    public void unrouted() {
        if (up) {
            up = false;
            host.routed(this, false);
        }
    }

    @Override
    public void log(Level level, String format, Object[] args) {
        // the simulation's nodes log nothing: 10,000 of them would drown the report
    }

    @Override
    public void stop() {
        abandon();
        host.stopped(this);
    }
}
