package io.ipop.peer;

import io.ipop.route.Route;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.event.Level;

/**
 * A {@link LinkMachine} driven by hand on a virtual clock, without an actor: its timers are a table the
 * test advances through ({@link #advance}), what it sends, asks and publishes is recorded, and the policy
 * answers at once with {@link #policy} (or not at all, if that is null: the test answers).
 */
final class VirtualLink implements LinkEffect.Port {
    /** A control message the machine sent, and when. */
    record Sent(long atNanos, ControlMessage message, Endpoint to) {
    }

    private record Pending(long due, Duration period) {
    }

    final LinkMachine machine;
    final PeerLink link;
    long now = 1_000_000_000L;
    /** This node's decision about a peer with the given verified certificate; null: asks are kept in {@link #asks}. */
    Function<Optional<PeerIdentity>, SecurityDecision> policy;
    final List<Sent> sent = new ArrayList<>();
    /** TTL-limited sends (NAT openers), in order: they die before the peer's NAT, so no peer hears them. */
    final List<Sent> limited = new ArrayList<>();
    /** Hellos sent through a rendezvous, in order. */
    final List<Sent> forwarded = new ArrayList<>();
    final List<byte[]> raw = new ArrayList<>();
    /** Birthday probing's effects (docs/nat.md), in order. */
    final List<LinkEffect.OpenBirthday> openedBirthday = new ArrayList<>();
    final List<LinkEffect.SprayBirthday> sprayed = new ArrayList<>();
    final List<Endpoint> released = new ArrayList<>();
    final List<LinkEffect.AskPolicy> asks = new ArrayList<>();
    final List<LinkHandshake.Run> handshakes = new ArrayList<>();
    final List<LinkHandshake.Run> cancelled = new ArrayList<>();
    /** The routes published, in order; null stands for an unrouting. */
    final List<Route> routes = new ArrayList<>();
    final List<String> logs = new ArrayList<>();
    private final Map<LinkMachine.Timer, Pending> timers = new EnumMap<>(LinkMachine.Timer.class);
    boolean stopped;

    VirtualLink(LinkContext ctx, Endpoint configured, PeerLink link, Function<Optional<PeerIdentity>, SecurityDecision> policy) {
        this.link = link;
        this.policy = policy;
        this.machine = new LinkMachine(ctx, link.peer(), configured, link, Clock.systemUTC());
    }

    /** Feeds {@code event} at the current virtual time and carries out its effects; returns them. */
    List<LinkEffect> feed(LinkEvent event) {
        List<LinkEffect> effects = machine.handle(event, now);
        effects.forEach(e -> e.to(this));
        if (policy != null) {
            while (!asks.isEmpty()) {
                LinkEffect.AskPolicy ask = asks.remove(0);
                feed(new LinkEvent.Decided(ask.question(), policy.apply(ask.verified())));
            }
        }
        return effects;
    }

    /** Moves the virtual clock by {@code d}, delivering every timer due on the way, in order. */
    void advance(Duration d) {
        long end = now + d.toNanos();
        while (true) {
            LinkMachine.Timer next = null;
            for (Map.Entry<LinkMachine.Timer, Pending> e : timers.entrySet()) {
                if (e.getValue().due() <= end && (next == null || e.getValue().due() < timers.get(next).due())) {
                    next = e.getKey();
                }
            }
            if (next == null) {
                break;
            }
            Pending p = timers.remove(next);
            now = p.due();
            if (p.period() != null) {
                timers.put(next, new Pending(now + p.period().toNanos(), p.period()));
            }
            feed(new LinkEvent.Tick(next));
        }
        now = end;
    }

    boolean timerRunning(LinkMachine.Timer t) {
        return timers.containsKey(t);
    }

    /** The messages of {@code type} sent so far, forgotten once taken. */
    <T extends ControlMessage> List<T> take(Class<T> type) {
        List<T> out = sent.stream().map(Sent::message).filter(type::isInstance).map(type::cast).toList();
        sent.clear();
        return out;
    }

    @Override
    public void send(ControlMessage message, Endpoint to) {
        sent.add(new Sent(now, message, to));
    }

    /** Openers are recorded as the TTL they carry would deliver them: not at all (they die before the peer's NAT). */
    @Override
    public void sendLimited(ControlMessage message, Endpoint to, int ttl) {
        limited.add(new Sent(now, message, to));
    }

    @Override
    public void sendRaw(byte[] datagram, Endpoint to) {
        raw.add(datagram);
    }

    @Override
    public void forward(Supplier<? extends Hello> hello) {
        forwarded.add(new Sent(now, hello.get(), null));      // to whichever rendezvous forwards: none in this rig
    }

    /** The sockets open at once in this rig: the signal goes through the rendezvous. */
    @Override
    public void openBirthday(ControlMessage opener, Endpoint toward, Supplier<? extends Hello> signal) {
        openedBirthday.add(new LinkEffect.OpenBirthday(opener, toward, signal));
        forward(signal);
    }

    @Override
    public void releaseBirthday(Endpoint to) {
        released.add(to);
    }

    @Override
    public void sprayBirthday(ControlMessage guess, java.net.InetAddress at, int[] ports) {
        sprayed.add(new LinkEffect.SprayBirthday(guess, at, ports));
    }

    @Override
    public void startTimer(LinkMachine.Timer timer, Duration delay, boolean repeat) {
        timers.put(timer, new Pending(now + delay.toNanos(), repeat ? delay : null));
    }

    @Override
    public void cancelTimer(LinkMachine.Timer timer) {
        timers.remove(timer);
    }

    @Override
    public void askPolicy(Optional<PeerIdentity> verified, LinkMachine.Question question) {
        asks.add(new LinkEffect.AskPolicy(verified, question));
    }

    @Override
    public void startHandshake(LinkHandshake.Run run) {
        handshakes.add(run);
    }

    @Override
    public void feedHandshake(LinkHandshake.Run run, byte[] record) {
    }

    @Override
    public void cancelHandshake(LinkHandshake.Run run) {
        cancelled.add(run);
    }

    @Override
    public void routed(Route route) {
        routes.add(route);
    }

    @Override
    public void unrouted() {
        routes.add(null);
    }

    @Override
    public void log(Level level, String format, Object[] args) {
        logs.add(level + " " + org.slf4j.helpers.MessageFormatter.arrayFormat(format, args).getMessage());
    }

    @Override
    public void stop() {
        stopped = true;
    }
}
