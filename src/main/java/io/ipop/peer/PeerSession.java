package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.route.Route;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * One peer link: sets it up with {@code con_req}/{@code con_resp}, decides with the peer whether it is
 * secure, runs the DTLS handshake if so, keeps it alive, notices when the peer goes away and reconnects
 * with capped exponential backoff. See docs/protocol.md for the exchange.
 *
 * <p>This class is the actor around the sans-IO {@link LinkMachine}, which holds the states and rules
 * (setup, liveness, reload, rekey, endpoint): it
 * turns each message into a {@link LinkEvent} stamped with {@link System#nanoTime()}, and carries out the
 * {@link LinkEffect}s the machine returns (it is their {@link LinkEffect.Port}): Pekko timers whose ticks
 * come back as events, the policy asked with {@code ask}, control messages on the socket, the DTLS handshake
 * on the context's executor (its result piped back), {@code LinkUp}/{@code LinkDown} to the directory, log lines.
 */
public final class PeerSession implements LinkEffect.Port {

    /** Messages a session handles. */
    public sealed interface Command {
    }

    /** A control message from this peer, decoded by the inbound path. */
    public record ControlReceived(Endpoint from, ControlMessage message) implements Command {
    }

    /** A DTLS record from this peer (it carried this link's receiver index). */
    public record DtlsReceived(Endpoint from, byte[] record) implements Command {
    }

    /** Say {@code close} to the peer if linked, then stop (node shutdown). */
    public enum CloseLink implements Command { INSTANCE }

    /** The link's traffic earned it a direct path (an overlay session's on-demand direct link). */
    public enum DirectWanted implements Command { INSTANCE }

    /** Say {@code close} with {@code reason} to the peer if linked, then stop (peer removed by a reload). */
    public record Unlink(String reason) implements Command {
    }

    /**
     * A reload: this node's identity, groups and security are now {@code context}'s, and the peer's
     * configured endpoint is {@code endpoint} ({@code null}: unchanged). Tell the policy first: the
     * session asks it again.
     */
    public record Reconfigure(LinkContext context, Endpoint endpoint) implements Command {
    }

    /**
     * NAT traversal found more places to probe the peer at: {@code direct} endpoints (from a rendezvous)
     * and, if not null, {@code relay}, an endpoint on relay node {@code via} (docs/nat.md).
     */
    public record CandidatesLearned(List<Endpoint> direct, Endpoint relay, PeerId via) implements Command {
    }

    /**
     * The peer's hello, forwarded by rendezvous {@code via} (docs/nat.md): signaling only. Once verified,
     * its candidates are probed and a {@code con_req} is answered through the rendezvous; it never sets
     * the link's endpoint, and no link comes up from it.
     */
    public record Signaled(Hello hello, PeerId via) implements Command {
    }

    /** The directory could not route the link ({@code reason}: its MAC is another link's): set it up again. */
    public record Unroutable(String reason) implements Command {
    }

    /** An event the session itself produced for the machine: a timer's tick, the policy's answer, a handshake's end. */
    private record Internal(LinkEvent event) implements Command {
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final PeerId peer;
    private final ActorRef<PeerDirectory.Command> directory;
    private final LinkMachine machine;
    private LinkContext ctx;
    /** The handshake last started, and the machine's run it carries out. */
    private LinkHandshake.Run launched;
    private DtlsHandshake handshake;
    private boolean stopped;

    private PeerSession(ActorContext<Command> context, TimerScheduler<Command> timers, LinkContext ctx, PeerId peer,
                        Endpoint endpoint, PeerLink link, ActorRef<PeerDirectory.Command> directory) {
        this.context = context;
        this.timers = timers;
        this.ctx = ctx;
        this.peer = peer;
        this.directory = directory;
        this.machine = new LinkMachine(ctx, peer, endpoint, link, Clock.systemUTC());
    }

    public static Behavior<Command> create(LinkContext ctx, PeerId peer, Endpoint endpoint, PeerLink link,
                                           ActorRef<PeerDirectory.Command> directory) {
        return Behaviors.setup(context -> {
            context.setLoggerName(PeerSession.class);   // supervised, it would log as ActorCell (held at WARN)
            return Behaviors.withTimers(timers -> new PeerSession(context, timers, ctx, peer, endpoint, link, directory)
                    .started());
        });
    }

    private Behavior<Command> started() {
        feed(LinkEvent.Start.INSTANCE);
        return Behaviors.receive(Command.class)
                .onMessage(ControlReceived.class, m -> feed(new LinkEvent.Control(m.from(), m.message())))
                .onMessage(DtlsReceived.class, m -> feed(new LinkEvent.Dtls(m.from(), m.record())))
                .onMessage(Internal.class, m -> feed(m.event()))
                .onMessageEquals(CloseLink.INSTANCE, () -> feed(new LinkEvent.Close("node shutting down")))
                .onMessage(Unlink.class, u -> feed(new LinkEvent.Close(u.reason())))
                .onMessage(Reconfigure.class, this::onReconfigure)
                .onMessage(CandidatesLearned.class, c -> feed(new LinkEvent.CandidatesLearned(c.direct(), c.relay(), c.via())))
                .onMessage(Signaled.class, s -> feed(new LinkEvent.Signaled(s.hello(), s.via())))
                .onMessage(Unroutable.class, u -> feed(new LinkEvent.Unroutable(u.reason())))
                .onMessageEquals(DirectWanted.INSTANCE, () -> feed(LinkEvent.DirectWanted.INSTANCE))
                .onSignal(PreRestart.class, s -> feed(LinkEvent.Restarting.INSTANCE))
                .build();
    }

    private Behavior<Command> onReconfigure(Reconfigure r) {
        ctx = r.context();
        return feed(new LinkEvent.Reconfigure(r.context(), r.endpoint()));
    }

    /** Hands {@code event} to the machine, now, and carries out what it says. */
    private Behavior<Command> feed(LinkEvent event) {
        for (LinkEffect effect : machine.handle(event, System.nanoTime())) {
            effect.to(this);
        }
        return stopped ? Behaviors.stopped() : Behaviors.same();
    }

    // ---- the effects ------------------------------------------------------------------------------------------

    @Override
    public void send(ControlMessage message, Endpoint to) {
        ctx.channel().send(message, to);
    }

    @Override
    public void sendLimited(ControlMessage message, Endpoint to, int ttl) {
        ctx.channel().sendLimited(message, to, ttl);
    }

    @Override
    public void sendRaw(byte[] datagram, Endpoint to) {
        ctx.channel().sendRaw(datagram, to);
    }

    @Override
    public void forward(Supplier<? extends Hello> hello) {
        ctx.signaling().forward(peer, hello);
    }

    @Override
    public void openBirthday(ControlMessage opener, Endpoint toward, Supplier<? extends Hello> signal) {
        if (ctx.channel().openBirthday(opener, toward)) {
            ctx.signaling().forward(peer, signal);      // after the sockets opened toward the peer: causality
        }
    }

    @Override
    public void sprayBirthday(ControlMessage guess, java.net.InetAddress at, int[] ports) {
        ctx.channel().sprayBirthday(guess, at, ports);
    }

    @Override
    public void releaseBirthday(Endpoint to) {
        ctx.channel().releaseBirthday(to);
    }

    @Override
    public void startTimer(LinkMachine.Timer timer, Duration delay, boolean repeat) {
        Internal tick = new Internal(new LinkEvent.Tick(timer));
        if (repeat) {
            timers.startTimerWithFixedDelay(timer, tick, delay);
        } else {
            timers.startSingleTimer(timer, tick, delay);
        }
    }

    @Override
    public void cancelTimer(LinkMachine.Timer timer) {
        timers.cancel(timer);
    }

    @Override
    public void askPolicy(Optional<PeerIdentity> verified, LinkMachine.Question question) {
        context.ask(SecurityDecision.class, ctx.policy(), Duration.ofSeconds(3),
                replyTo -> new SecurityPolicy.Decide(peer, verified, replyTo),
                (decision, failure) -> new Internal(new LinkEvent.Decided(question,
                        decision == null ? new SecurityDecision(true, "policy unavailable") : decision)));
    }

    /** Bouncy Castle's DTLS blocks a thread per handshake: it runs on the context's executor (docs/architecture.md). */
    @Override
    public void startHandshake(LinkHandshake.Run run) {
        DtlsHandshake hs = run.launch(ctx);
        launched = run;
        handshake = hs;
        context.pipeToSelf(run.result(hs), (keys, failure) -> new Internal(new LinkEvent.HandshakeDone(run, keys, failure)));
    }

    @Override
    public void feedHandshake(LinkHandshake.Run run, byte[] record) {
        if (run != launched || !handshake.receive(record)) {
            ctx.counters().drop(SetupDrop.DTLS_IGNORED);
        }
    }

    @Override
    public void cancelHandshake(LinkHandshake.Run run) {
        if (run == launched) {
            handshake.cancel();
        }
    }

    @Override
    public void routed(Route route) {
        directory.tell(new PeerDirectory.LinkUp(route, context.getSelf()));
    }

    @Override
    public void unrouted() {
        directory.tell(new PeerDirectory.LinkDown(peer));
    }

    @Override
    public void log(Level level, String format, Object[] args) {
        Logger log = context.getLog();
        switch (level) {
            case ERROR -> log.error(format, args);
            case WARN -> log.warn(format, args);
            case INFO -> log.info(format, args);
            case DEBUG -> log.debug(format, args);
            case TRACE -> log.trace(format, args);
        }
    }

    @Override
    public void stop() {
        stopped = true;
    }
}
