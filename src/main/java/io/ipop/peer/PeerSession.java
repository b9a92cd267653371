package io.ipop.peer;

import io.ipop.node.LinkSettings;
import io.ipop.route.Route;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One peer link: sets it up with {@code con_req}/{@code con_resp}, keeps it alive, notices when the
 * peer goes away and reconnects with capped exponential backoff.
 *
 * <p>Setup is symmetric: each side sends {@code con_req} until it hears from the other, and answers
 * every valid {@code con_req} with a {@code con_resp}. A side is up as soon as it has the other's
 * hello (receiver index, MAC, instance) from either message, so simultaneous requests converge: both
 * sides answer, both end up with the same pair of indexes, and the late answers are recognised as
 * duplicates. A {@code con_req} carrying a new instance id on an up link means the peer restarted; the
 * link takes the new index and MAC at once, without going down.
 *
 * <p>Liveness: anything heard from the peer (data, pings, pongs) counts; a liveness tick every tenth of
 * {@code dead-after} accumulates silence, and the link is marked lost after between 0.9 and 1.0 times
 * {@code dead-after} of silence (the tick's granularity), never later.
 */
public final class PeerSession {

    /** Messages a session handles. */
    public sealed interface Command {
    }

    /** A control message from this peer, decoded by the inbound path. */
    public record ControlReceived(Endpoint from, ControlMessage message) implements Command {
    }

    /** Say {@code close} to the peer if linked, then stop (node shutdown or peer removed). */
    public enum CloseLink implements Command { INSTANCE }

    private enum RetryTick implements Command { INSTANCE }

    private enum PingTick implements Command { INSTANCE }

    private enum LivenessTick implements Command { INSTANCE }

    private static final int NONCES_KEPT = 8;
    private static final long MAX_PLAUSIBLE_RTT = Duration.ofSeconds(60).toNanos();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final LocalNode self;
    private final String peer;
    private final Endpoint configuredEndpoint;
    private final PeerLink link;
    private final LinkSettings settings;
    private final ControlChannel channel;
    private final ActorRef<PeerDirectory.Command> directory;
    private final ArrayDeque<String> sentNonces = new ArrayDeque<>();
    private final Duration livenessTick;

    private Endpoint endpoint;
    private PeerInfo remote;
    private long pingSeq;
    private long lastActivity;
    private Duration silence = Duration.ZERO;

    private PeerSession(ActorContext<Command> context, TimerScheduler<Command> timers, LocalNode self, String peer,
                        Endpoint endpoint, PeerLink link, LinkSettings settings, ControlChannel channel,
                        ActorRef<PeerDirectory.Command> directory) {
        this.context = context;
        this.timers = timers;
        this.self = self;
        this.peer = peer;
        this.configuredEndpoint = endpoint;
        this.endpoint = endpoint;
        this.link = link;
        this.settings = settings;
        this.channel = channel;
        this.directory = directory;
        this.livenessTick = settings.deadAfter().dividedBy(10);
    }

    public static Behavior<Command> create(LocalNode self, String peer, Endpoint endpoint, PeerLink link,
                                           LinkSettings settings, ControlChannel channel,
                                           ActorRef<PeerDirectory.Command> directory) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new PeerSession(ctx, timers, self, peer, endpoint, link, settings, channel, directory)
                        .seeking(LinkState.CONNECTING, 0)));
    }

    // ---- connecting / lost: send con_req with backoff until the peer answers -------------------------

    private Behavior<Command> seeking(LinkState state, int attempt) {
        sendConReq();
        timers.startSingleTimer(RetryTick.INSTANCE, settings.backoff(attempt));
        return withCommonHandlers(Behaviors.receive(Command.class)
                .onMessage(ControlReceived.class, m -> onControlWhileSeeking(state, m))
                .onMessageEquals(RetryTick.INSTANCE, () -> seeking(state, attempt + 1)));
    }

    private Behavior<Command> onControlWhileSeeking(LinkState state, ControlReceived m) {
        if (m.message() instanceof ConReq req && acceptable(req, m.from())) {
            channel.send(conResp(req.nonce()), m.from());
            return up(m.from(), PeerInfo.of(req), "con_req from " + m.from());
        }
        if (m.message() instanceof ConResp resp && sentNonces.contains(resp.echo()) && acceptable(resp, m.from())) {
            return up(m.from(), PeerInfo.of(resp), "con_resp from " + m.from());
        }
        return Behaviors.same();
    }

    // ---- up: keepalives, liveness, restarts of the peer ------------------------------------------------

    private Behavior<Command> up(Endpoint from, PeerInfo info, String reason) {
        timers.cancel(RetryTick.INSTANCE);
        endpoint = from;
        remote = info;
        lastActivity = link.counters().activity();
        silence = Duration.ZERO;
        publish(LinkState.UP, reason);
        directory.tell(new PeerDirectory.LinkUp(route(), info.mac()));
        context.getLog().info("link to {} up: {} at {} (mac {}, {})", peer, info.address(), from, info.mac(), reason);
        timers.startTimerWithFixedDelay(PingTick.INSTANCE, settings.keepaliveInterval());
        timers.startTimerWithFixedDelay(LivenessTick.INSTANCE, livenessTick);
        return withCommonHandlers(Behaviors.receive(Command.class)
                .onMessage(ControlReceived.class, this::onControlWhileUp)
                .onMessageEquals(PingTick.INSTANCE, this::onPingTick)
                .onMessageEquals(LivenessTick.INSTANCE, this::onLivenessTick));
    }

    private Behavior<Command> onControlWhileUp(ControlReceived m) {
        link.counters().heard();
        ControlMessage msg = m.message();
        if (msg instanceof ConReq req && acceptable(req, m.from())) {
            channel.send(conResp(req.nonce()), m.from());
            PeerInfo info = PeerInfo.of(req);
            if (!info.equals(remote) || !m.from().equals(endpoint)) {
                String why = info.instance().equals(remote.instance()) ? "peer re-sent con_req" : "peer restarted";
                context.getLog().info("link to {} renewed: {} (now {} at {})", peer, why, info.address(), m.from());
                endpoint = m.from();
                remote = info;
                publish(LinkState.UP, why);
                directory.tell(new PeerDirectory.LinkUp(route(), info.mac()));
            }
        } else if (msg instanceof Ping ping) {
            channel.send(new Pong(self.name(), ping.seq(), ping.ts()), m.from());
        } else if (msg instanceof Pong pong) {
            long rtt = System.nanoTime() - pong.ts();
            if (pong.seq() <= pingSeq && rtt >= 0 && rtt < MAX_PLAUSIBLE_RTT) {
                link.publish(link.snapshot().withRtt(rtt));
            }
        } else if (msg instanceof Close close) {
            return lost("peer closed the link: " + close.reason());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onPingTick() {
        channel.send(new Ping(self.name(), ++pingSeq, System.nanoTime()), endpoint);
        return Behaviors.same();
    }

    private Behavior<Command> onLivenessTick() {
        long activity = link.counters().activity();
        if (activity != lastActivity) {
            lastActivity = activity;
            silence = Duration.ZERO;
            return Behaviors.same();
        }
        silence = silence.plus(livenessTick);
        // Silence is counted from the tick that last saw activity, so the true silence is up to one tick
        // longer: declare the peer dead once that upper bound reaches dead-after, never later.
        if (silence.plus(livenessTick).compareTo(settings.deadAfter()) >= 0) {
            return lost("nothing heard from peer for " + settings.deadAfter().toMillis() + " ms");
        }
        return Behaviors.same();
    }

    private Behavior<Command> lost(String reason) {
        timers.cancel(PingTick.INSTANCE);
        timers.cancel(LivenessTick.INSTANCE);
        directory.tell(new PeerDirectory.LinkDown(peer));
        publish(LinkState.LOST, reason);
        context.getLog().warn("link to {} lost: {}", peer, reason);
        return seeking(LinkState.LOST, 0);
    }

    // ---- shared --------------------------------------------------------------------------------------

    /** Adds what every state handles; last, so a state's own handlers for a tick win over "stale tick". */
    private Behavior<Command> withCommonHandlers(BehaviorBuilder<Command> builder) {
        return builder
                .onMessageEquals(CloseLink.INSTANCE, this::onCloseLink)
                .onMessageEquals(RetryTick.INSTANCE, Behaviors::same)
                .onMessageEquals(PingTick.INSTANCE, Behaviors::same)
                .onMessageEquals(LivenessTick.INSTANCE, Behaviors::same)
                .onSignal(PreRestart.class, s -> onPreRestart())
                .build();
    }

    private Behavior<Command> onCloseLink() {
        if (link.snapshot().state() == LinkState.UP) {
            channel.send(new Close(self.name(), "node shutting down"), endpoint);
        }
        directory.tell(new PeerDirectory.LinkDown(peer));
        return Behaviors.stopped();
    }

    private Behavior<Command> onPreRestart() {
        directory.tell(new PeerDirectory.LinkDown(peer));
        return Behaviors.same();
    }

    /** Checks a hello beyond what decoding checked; a refusal is shown as the link's reason. */
    private boolean acceptable(Hello hello, Endpoint from) {
        String problem = null;
        if (hello.v() != ControlMessage.PROTOCOL_VERSION) {
            problem = "peer speaks protocol version " + hello.v() + ", this node " + ControlMessage.PROTOCOL_VERSION;
        } else if (PeerInfo.of(hello).address().address() == self.address().address()) {
            problem = "peer claims this node's own overlay address " + self.address().ip();
        } else if (hello.index() == link.localIndex() && hello.instance().equals(self.instance())) {
            problem = "message is this node's own (looped back)";
        }
        if (problem == null) {
            return true;
        }
        LinkSnapshot s = link.snapshot();
        if (!problem.equals(s.reason())) {
            context.getLog().warn("refusing {} from {} at {}: {}", hello.getClass().getSimpleName(), peer, from, problem);
            link.publish(new LinkSnapshot(s.state(), s.since(), s.endpoint(), s.remote(), s.rttNanos(), problem));
        }
        return false;
    }

    private void sendConReq() {
        String nonce = HexFormat.of().formatHex(randomBytes());
        sentNonces.addLast(nonce);
        if (sentNonces.size() > NONCES_KEPT) {
            sentNonces.removeFirst();
        }
        ConReq req = new ConReq(ControlMessage.PROTOCOL_VERSION, self.name(), self.instance(), self.address().toString(),
                self.mac().toString(), self.groups(), nonce, link.localIndex(), System.currentTimeMillis());
        channel.send(req, configuredEndpoint);
        if (!endpoint.equals(configuredEndpoint)) {
            channel.send(req, endpoint);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private ConResp conResp(String echo) {
        return new ConResp(ControlMessage.PROTOCOL_VERSION, self.name(), self.instance(), self.address().toString(),
                self.mac().toString(), self.groups(), HexFormat.of().formatHex(randomBytes()), link.localIndex(),
                System.currentTimeMillis(), echo);
    }

    private Route route() {
        return new Route(peer, link.localIndex(), remote.index(), endpoint, link.counters());
    }

    private void publish(LinkState state, String reason) {
        LinkSnapshot old = link.snapshot();
        Instant since = old.state() == state ? old.since() : Instant.now();
        link.publish(new LinkSnapshot(state, since, endpoint, remote, state == LinkState.UP ? old.rttNanos() : -1, reason));
    }
}
