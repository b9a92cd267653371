package io.ipop.peer;

import io.ipop.dataplane.Drop;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One peer link: sets it up with {@code con_req}/{@code con_resp}, decides with the peer whether it is
 * secure, runs the DTLS handshake if so, keeps it alive, notices when the peer goes away and reconnects
 * with capped exponential backoff. See docs/protocol.md for the exchange.
 *
 * <p>Setup is symmetric. Each side sends {@code con_req} until it has the other's verified hello and
 * the other's security decision. A {@code con_resp} always carries both; a {@code con_req} carries the
 * decision once its sender has heard the receiver. On a verified hello this side asks the
 * {@link SecurityPolicy} for its own decision; the link is secure if either side says so. A secure
 * link needs certificates on both sides and a DTLS handshake (the node with the lower name is the
 * client); a plaintext link is up at once.
 *
 * <p>Liveness: anything authenticated heard from the peer counts (any frame on a plaintext link; only
 * frames that decrypt on a secure one, where keepalives are sealed empty frames); see {@link Liveness}.
 *
 * <p>Reload: {@link Reconfigure} hands the session the node's new identity and security. A linked
 * session asks the policy again; if its own decision flips, it sets the link up again (stating the new
 * decision), and the peer follows because a {@code con_req} whose decision differs from the one it
 * knows, or that states none, sets the link up again on its side too. Other links stay as they are.
 * An unchanged decision is still re-announced ({@link Announcement}) until the peer answers, since the
 * peer's own decision may follow this node's new groups or certificate. Every reload, and every
 * {@code reverify-interval}, a linked session checks the peer's certificate again (CA, revoked list,
 * validity, see {@link HelloCheck#recheck}); one that fails closes the link, and its hellos are refused.
 *
 * <p>Rekey: on an up secure link the DTLS client starts a new handshake on the live link once the keys
 * are {@code rekey-after} old or carried {@link LinkCipher#REKEY_RECORDS} frames; the server answers a
 * ClientHello on the up link (one handshake at a time, at most one start a second) with a rekey handshake.
 * The new keys go to the {@link LinkCipher}, which switches without losing traffic. A failed rekey keeps
 * the link on its current keys (counted {@code dtls_failed}) and is tried again later.
 *
 * <p>Endpoint (docs/protocol.md, "Endpoints"): the link's underlay address moves only to an address that
 * proved it is the peer — a verified {@code con_resp} from there echoing a request sent there ({@link Probes}),
 * as QUIC path validation and WireGuard roaming do — or to a static peer's configured one. A verified hello
 * from any other address neither sets nor moves nor resets the link: it earns that address a challenge. A
 * hello older than the one the link was set up with never resets it ({@link LinkSetup#newer}).
 *
 * <p>This class is the state machine. Its rules and parts live beside it: {@link LinkSetup}, {@link LinkHandshake},
 * {@link Liveness}, {@link Probes} with {@link Candidates} (docs/nat.md), {@link Refusals}, {@link LinkPublisher}.
 */
public final class PeerSession {

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
    public record CandidatesLearned(List<Endpoint> direct, Endpoint relay, String via) implements Command {
    }

    /**
     * The peer's hello, forwarded by rendezvous {@code via} (docs/nat.md): signaling only. Once verified,
     * its candidates are probed and a {@code con_req} is answered through the rendezvous; it never sets
     * the link's endpoint, and no link comes up from it.
     */
    public record Signaled(Hello hello, String via) implements Command {
    }

    /** The directory could not route the link ({@code reason}: its MAC is another link's): set it up again. */
    public record Unroutable(String reason) implements Command {
    }

    private enum RetryTick implements Command { INSTANCE }

    private enum PingTick implements Command { INSTANCE }

    private enum LivenessTick implements Command { INSTANCE }

    private enum AnnounceTick implements Command { INSTANCE }

    private enum ReverifyTick implements Command { INSTANCE }

    private record PolicyDecided(Endpoint from, Hello hello, Optional<PeerIdentity> identity,
                                 SecurityDecision decision) implements Command {
    }

    private record HandshakeDone(DtlsHandshake handshake, SessionKeys keys, Throwable failure) implements Command {
    }

    private record Redecided(SecurityDecision decision) implements Command {
    }

    private record SignalDecided(ConReq request, SecurityDecision decision) implements Command {
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String peer;
    private final PeerLink link;
    private final Probes probes;
    private final Candidates candidates;
    private final LinkSetup setup = new LinkSetup();
    private final LinkHandshake dtls = new LinkHandshake();
    private final Liveness liveness;
    private final LinkPublisher publisher;
    private final Refusals refusals;
    private final Announcement announcement = new Announcement();
    private final Rekeying rekeying;

    private LinkContext ctx;
    private Endpoint endpoint;
    private LinkCipher cipher;
    private boolean everUp;

    private PeerSession(ActorContext<Command> context, TimerScheduler<Command> timers, LinkContext ctx, String peer,
                        Endpoint endpoint, PeerLink link, ActorRef<PeerDirectory.Command> directory) {
        this.context = context;
        this.timers = timers;
        this.ctx = ctx;
        this.peer = peer;
        this.endpoint = endpoint;
        this.link = link;
        this.probes = new Probes(peer, link, endpoint, "static".equals(link.discoveredBy()));
        this.candidates = probes.candidates();
        this.liveness = new Liveness(ctx.link().deadAfter(), System::nanoTime);
        this.publisher = new LinkPublisher(peer, link, setup, directory::tell, context.getSelf(), Clock.systemUTC());
        this.refusals = new Refusals(peer, publisher, context::getLog, System::nanoTime);
        this.rekeying = new Rekeying(peer, dtls, setup, link.setups(), context::getLog,
                (hs, prepared) -> context.pipeToSelf(prepared, (keys, failure) -> new HandshakeDone(hs, keys, failure)),
                System::nanoTime);
        timers.startTimerWithFixedDelay(ReverifyTick.INSTANCE, ctx.security().reverifyInterval());
    }

    public static Behavior<Command> create(LinkContext ctx, String peer, Endpoint endpoint, PeerLink link,
                                           ActorRef<PeerDirectory.Command> directory) {
        return Behaviors.setup(context -> {
            context.setLoggerName(PeerSession.class);   // supervised, it would log as ActorCell (held at WARN)
            return Behaviors.withTimers(timers -> new PeerSession(context, timers, ctx, peer, endpoint, link, directory)
                    .seeking(LinkState.CONNECTING, 0));
        });
    }

    // ---- connecting / lost: con_req with backoff until hello and decision of the peer are in -------------

    private Behavior<Command> seeking(LinkState state, int attempt) {
        if (link.snapshot().state() != state) {
            publisher.state(state, state == LinkState.LOST ? link.snapshot().reason() : "connecting", endpoint);
        }
        sendConReq();
        probes.requestThroughRendezvous(ctx, setup.stated());
        timers.startSingleTimer(RetryTick.INSTANCE, ctx.link().backoff(attempt));
        return withCommonHandlers(Behaviors.receive(Command.class)
                .onMessage(ControlReceived.class, this::onControlWhileSeeking)
                .onMessage(PolicyDecided.class, this::onPolicyDecided)
                .onMessage(DtlsReceived.class, this::keepEarly)
                .onMessageEquals(RetryTick.INSTANCE, () -> seeking(state, attempt + 1)));
    }

    private Behavior<Command> onControlWhileSeeking(ControlReceived m) {
        if (m.message() instanceof ConResp resp && !probes.sent(resp.echo())) {
            ctx.counters().drop(Drop.UNEXPECTED_RESPONSE);  // an answer to nothing we asked (stale or forged)
        } else if (m.message() instanceof Hello hello) {
            verifyThenDecide(m.from(), hello);
        } else if (m.message() instanceof ConRej rej) {
            refusals.refusedByPeer(ctx, rej, m.from(), endpoint);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onPolicyDecided(PolicyDecided d) {
        Hello hello = d.hello();
        candidates.learn(Candidates.of(hello.cands()), null, null);
        setup.heard(hello, d.identity(), d.decision());
        if (hello instanceof ConReq req) {
            probes.answer(ctx, req.nonce(), d.decision().secure(), d.from());
        }
        boolean proven = proves(d.from(), hello);
        if (proven) {
            endpoint = d.from();
        } else {
            ctx.counters().drop(Drop.HELLO_UNPROVEN_PATH);   // taken as the peer's word, not as its address
        }
        if (setup.peerDecision() == null) {
            sendConReq();                               // tell the peer our decision at once
        }
        if (!proven) {
            probes.challenge(ctx, d.from(), setup.stated(), System.nanoTime());
        }
        if (setup.peerDecision() == null || !proven) {
            return Behaviors.same();
        }
        SecurityDecision decision = setup.agreed();
        if (!decision.secure()) {
            return up(decision, null, "plaintext link agreed (" + decision.reason() + ")");
        }
        if (ctx.identity().isEmpty() || setup.identity().isEmpty()) {
            refusals.cannotSecure(ctx, decision, endpoint);
            return Behaviors.same();
        }
        return handshaking(decision);
    }

    private Behavior<Command> keepEarly(DtlsReceived m) {
        dtls.keepEarly(m.record());                     // the peer may start DTLS just before we agree
        return Behaviors.same();
    }

    // ---- handshaking: DTLS on a link both sides agreed to secure ------------------------------------------

    private Behavior<Command> handshaking(SecurityDecision decision) {
        timers.cancel(RetryTick.INSTANCE);
        DtlsHandshake.Role role = LinkHandshake.role(ctx.self().name(), peer);
        DtlsHandshake hs;
        try {
            hs = dtls.start(ctx, role, setup.identity().orElseThrow(), setup.remote().index(), endpoint);
        } catch (CertificateEncodingException e) {
            return lost("cannot encode the peer's certificate: " + e.getMessage());
        }
        context.pipeToSelf(hs.result(), (keys, failure) -> new HandshakeDone(hs, keys, failure));
        publisher.state(LinkState.HANDSHAKING, "DTLS handshake as " + role.name().toLowerCase() + " ("
                + decision.reason() + ")", endpoint, decision, null);
        return withCommonHandlers(Behaviors.receive(Command.class)
                .onMessage(DtlsReceived.class, m -> countIgnored(dtls.receive(m.record())))
                .onMessage(ControlReceived.class, this::onControlWhileLinked)
                .onMessage(PolicyDecided.class, this::onPolicyDecidedWhileLinked)
                .onMessage(HandshakeDone.class, done -> onHandshakeDone(done, decision)));
    }

    private Behavior<Command> onHandshakeDone(HandshakeDone done, SecurityDecision decision) {
        if (!dtls.isCurrent(done.handshake())) {
            return Behaviors.same();
        }
        if (done.failure() != null) {
            ctx.counters().drop(Drop.DTLS_FAILED);
            link.setups().handshakeFailed();
            String why = "DTLS handshake failed: " + LinkHandshake.failure(done.failure());
            context.getLog().atWarn().addKeyValue("peer", peer).addKeyValue("reason", why).log("link to {}: {}", peer, why);
            return backToSeeking(why);
        }
        link.setups().handshakeOk();
        return up(decision, done.keys(), "DTLS up, " + done.keys().cipherSuite());
    }

    /** Counts a DTLS record the handshake did not take. */
    private Behavior<Command> countIgnored(boolean taken) {
        if (!taken) {
            ctx.counters().drop(Drop.DTLS_IGNORED);
        }
        return Behaviors.same();
    }

    // ---- up: keepalives, liveness, restarts of the peer ---------------------------------------------------

    private Behavior<Command> up(SecurityDecision decision, SessionKeys keys, String reason) {
        timers.cancel(RetryTick.INSTANCE);
        cipher = keys == null ? null : LinkCipher.of(keys, setup.remote().index());
        if (keys != null) {
            keys.erase();                               // the cipher holds its own copies
        }
        rekeying.reset();
        everUp = true;
        link.setups().linkUp();
        liveness.restart(link.counters().activity());
        publisher.state(LinkState.UP, reason, endpoint, decision, keys == null ? null : keys.cipherSuite());
        publisher.routed(endpoint, cipher);
        context.getLog().info("link to {} up: {} at {}, {} ({})", peer, setup.remote().address(), endpoint,
                cipher == null ? "plaintext" : "secure " + keys.cipherSuite(), decision.reason());
        timers.startTimerWithFixedDelay(PingTick.INSTANCE, ctx.link().keepaliveInterval());
        timers.startTimerWithFixedDelay(LivenessTick.INSTANCE, liveness.tick());
        return withCommonHandlers(Behaviors.receive(Command.class)
                .onMessage(ControlReceived.class, this::onControlWhileLinked)
                .onMessage(PolicyDecided.class, this::onPolicyDecidedWhileLinked)
                .onMessage(DtlsReceived.class, m -> countIgnored(cipher == null ? dtls.receiveWhileUp(m.record())
                        : rekeying.receive(ctx, cipher, m.record(), endpoint)))
                .onMessage(HandshakeDone.class, this::onRekeyDone)
                .onMessageEquals(PingTick.INSTANCE, this::onPingTick)
                .onMessageEquals(LivenessTick.INSTANCE, this::onLivenessTick));
    }

    /** Control while handshaking or up: answer re-sent requests, notice restarts, keepalives, close. */
    private Behavior<Command> onControlWhileLinked(ControlReceived m) {
        ControlMessage msg = m.message();
        boolean fromLinkEndpoint = m.from().equals(endpoint);
        if (cipher == null && fromLinkEndpoint) {
            link.counters().heard();                    // plaintext link: any control from the peer is life
        }
        if (msg instanceof ConResp resp && fromLinkEndpoint && announcement.answered(resp.echo())) {
            timers.cancel(AnnounceTick.INSTANCE);       // the peer decided again after our reload
        }
        if (msg instanceof ConReq req) {
            return onConReqWhileLinked(m.from(), req);
        } else if (msg instanceof ConResp resp && probes.sent(resp.echo()) && !fromLinkEndpoint
                && probes.validates(resp, m.from())) {
            return onPathAnswered(m.from(), resp);      // our challenge (or direct probe) there was answered
        } else if ((msg instanceof Ping || msg instanceof Pong || msg instanceof Close) && !fromLinkEndpoint) {
            // unauthenticated: from elsewhere a ping would make us reflect pongs, a pong fake the RTT, a close cut the link
            ctx.counters().drop(Drop.WRONG_ADDRESS);
        } else if (msg instanceof Ping ping) {
            ctx.channel().send(new Pong(ctx.self().name(), ping.seq(), ping.ts()), m.from());
        } else if (msg instanceof Pong pong) {
            liveness.roundTrip(pong).ifPresent(publisher::roundTrip);
        } else if (msg instanceof ConResp resp && !probes.sent(resp.echo())) {
            ctx.counters().drop(Drop.UNEXPECTED_RESPONSE);  // a repeated answer to our request is fine; this is not
        } else if (msg instanceof Close close) {
            return lost("peer closed the link: " + close.reason());
        } else if (msg instanceof ConRej rej) {
            refusals.refusedByPeer(ctx, rej, m.from(), endpoint);
        }
        return Behaviors.same();
    }

    /**
     * A request on a linked session: answered again, decided again, or the link is set up again — the last
     * only from the link's own endpoint and only if newer than the setup; from elsewhere it earns that address
     * a challenge (path validation), and a copy of a hello seen from another address changes nothing.
     */
    private Behavior<Command> onConReqWhileLinked(Endpoint from, ConReq req) {
        HelloCheck.Verdict v = ctx.check().check(req, from);
        boolean atEndpoint = from.equals(endpoint);
        if (v instanceof HelloCheck.Rejected r) {
            refusals.reject(ctx, from, r);
        } else if (((HelloCheck.Accepted) v).repeat()) {
            ctx.counters().drop(Drop.HELLO_REPLAY);     // seen from another address: changes nothing here
            challengeUnlessEndpoint(from);
        } else if (setup.isDuplicate(req)) {
            probes.answer(ctx, req.nonce(), setup.local().secure(), from);  // our con_resp was lost: same decision
            challengeUnlessEndpoint(from);
        } else if (setup.sameSetup(req)) {
            // the peer reloaded other groups or another certificate: decide again, keep the link if unchanged
            askPolicy(from, req, ((HelloCheck.Accepted) v).identity());
        } else if (!atEndpoint) {
            ctx.counters().drop(Drop.HELLO_UNPROVEN_PATH);  // the peer may have moved: it must prove it there first
            probes.challenge(ctx, from, setup.stated(), System.nanoTime());
        } else if (!setup.newer(req)) {
            ctx.counters().drop(Drop.HELLO_SUPERSEDED);     // older than the link's setup: a replay of the past
        } else {
            Behavior<Command> next = backToSeeking(setup.whySetUpAgain(req));
            askPolicy(from, req, ((HelloCheck.Accepted) v).identity());
            return next;
        }
        return Behaviors.same();
    }

    private void challengeUnlessEndpoint(Endpoint from) {
        if (!from.equals(endpoint)) {
            probes.challenge(ctx, from, setup.stated(), System.nanoTime());
        }
    }

    /**
     * This side's decision about a peer whose groups or certificate changed on a linked session: an
     * unchanged decision keeps the link (its view of the peer is updated and the request answered);
     * a flipped one sets the link up again in the new mode.
     */
    private Behavior<Command> onPolicyDecidedWhileLinked(PolicyDecided d) {
        if (!(d.hello() instanceof ConReq req) || !setup.sameSetup(req) || setup.local() == null) {
            return Behaviors.same();                    // stale answer
        }
        if (!setup.flips(d.decision())) {
            setup.changed(req, d.identity(), d.decision());
            probes.answer(ctx, req.nonce(), d.decision().secure(), d.from());
            LinkSnapshot now = link.snapshot();
            publisher.state(now.state(), now.reason(), endpoint, setup.agreed(), now.cipherSuite());
            return Behaviors.same();
        }
        Behavior<Command> next = backToSeeking("peer's groups or certificate changed: "
                + (d.decision().secure() ? "secure" : "plaintext") + " now (" + d.decision().reason() + ")");
        context.getSelf().tell(d);                      // set up again from this very hello
        return next;
    }

    private Behavior<Command> onPingTick() {
        ctx.channel().send(liveness.nextPing(ctx.self().name()), endpoint);
        probes.keepaliveSent(ctx, endpoint, liveness.pingsSent(), setup.stated());
        if (cipher != null) {
            byte[] keepalive = cipher.seal(new byte[0], 0, 0);  // authenticated liveness for the peer
            ctx.channel().sendRaw(keepalive, endpoint);
            rekeying.tick(ctx, cipher, endpoint);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onRekeyDone(HandshakeDone done) {
        if (rekeying.isRunning(done.handshake()) && cipher != null) {
            rekeying.done(ctx, cipher, done.failure(), endpoint);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onLivenessTick() {
        if (liveness.silentTooLong(link.counters().activity())) {
            return lost("nothing heard from peer for " + ctx.link().deadAfter().toMillis() + " ms");
        }
        return Behaviors.same();
    }

    private Behavior<Command> lost(String reason) {
        context.getLog().atWarn().addKeyValue("peer", peer).addKeyValue("reason", reason).log("link to {} lost: {}", peer, reason);
        return backToSeeking(reason);
    }

    /** Drops whatever the link had (route, handshake, keys, decisions) and reconnects from scratch. */
    private Behavior<Command> backToSeeking(String reason) {
        return backToSeeking(reason, null);
    }

    /** As {@link #backToSeeking(String)}; {@code known}: this side's decision, already stated in the first con_req. */
    private Behavior<Command> backToSeeking(String reason, SecurityDecision known) {
        timers.cancel(PingTick.INSTANCE);
        timers.cancel(LivenessTick.INSTANCE);
        timers.cancel(AnnounceTick.INSTANCE);
        announcement.stop();
        dtls.reset();                                   // records of the abandoned attempt must not seed the next
        rekeying.reset();
        cipher = null;
        link.renewIndex();                              // a new setup, a new receiver index (docs/security.md)
        setup.restart(known);
        publisher.unrouted();
        LinkState state = everUp ? LinkState.LOST : LinkState.CONNECTING;
        publisher.state(state, reason, endpoint, null, null);
        return seeking(state, 0);
    }

    // ---- shared ---------------------------------------------------------------------------------------------

    /** Adds what every state handles; last, so a state's own handlers win over "stale". */
    private Behavior<Command> withCommonHandlers(BehaviorBuilder<Command> builder) {
        return builder
                .onMessageEquals(CloseLink.INSTANCE, () -> closeAndStop("node shutting down"))
                .onMessage(Unlink.class, u -> closeAndStop(u.reason()))
                .onMessage(Reconfigure.class, this::onReconfigure)
                .onMessage(Redecided.class, this::onRedecided)
                .onMessage(CandidatesLearned.class, this::onCandidatesLearned)
                .onMessage(Signaled.class, this::onSignaled)
                .onMessage(SignalDecided.class, this::onSignalDecided)
                .onMessage(Unroutable.class, this::onUnroutable)
                .onMessageEquals(AnnounceTick.INSTANCE, this::onAnnounceTick)
                .onMessageEquals(ReverifyTick.INSTANCE, this::onReverifyTick)
                .onAnyMessage(stale -> Behaviors.same())  // a tick, answer or record for a state since left
                .onSignal(PreRestart.class, s -> onStopping())
                .build();
    }

    private Behavior<Command> onUnroutable(Unroutable u) {
        return isLinked() ? lost(u.reason()) : Behaviors.same();
    }

    private Behavior<Command> closeAndStop(String reason) {
        if (link.snapshot().state() == LinkState.UP) {
            ctx.channel().send(new Close(ctx.self().name(), reason), endpoint);
        }
        onStopping();
        return Behaviors.stopped();
    }

    private Behavior<Command> onStopping() {
        dtls.cancel();
        publisher.unrouted();
        return Behaviors.same();
    }

    /** A reload: new context; a linked session asks the policy again (answer: Redecided). */
    private Behavior<Command> onReconfigure(Reconfigure r) {
        ctx = r.context();
        if (r.endpoint() != null) {
            probes.reconfigure(r.endpoint());
        }
        timers.startTimerWithFixedDelay(ReverifyTick.INSTANCE, ctx.security().reverifyInterval());
        Optional<String> distrust = distrusted();
        if (distrust.isPresent()) {
            return untrusted(distrust.get());
        }
        if (isLinked() && setup.decided()) {
            askPolicy(setup.remote().address(), setup.identity(), Redecided::new);
        } else {
            setup.forgetDecision();                     // seeking: the next hello is decided under the new settings
        }
        return Behaviors.same();
    }

    /** This side's decision after a reload: set the link up again only if it flipped. */
    private Behavior<Command> onRedecided(Redecided r) {
        if (!isLinked() || setup.local() == null) {
            return Behaviors.same();                    // the link went down meanwhile: its next setup decides anew
        }
        SecurityDecision now = r.decision();
        if (!setup.flips(now)) {
            setup.redecided(now);
            if (link.snapshot().state() == LinkState.UP) {
                publisher.security(setup.agreed());
            }
            // our groups or certificate may have changed: the peer re-checks a con_req that differs
            // from what it knows, so its own decision about us follows the reload too (until it answers)
            announcement.start();
            return onAnnounceTick();
        }
        String why = "security decision changed by reload (" + setup.local().reason() + " -> " + now.reason()
                + "): setting the link up again";
        context.getLog().info("link to {}: {}", peer, why);
        return backToSeeking(why, now);
    }

    /** (Re-)sends the reload's con_req with the link's backoff while the peer has not answered. */
    private Behavior<Command> onAnnounceTick() {
        if (!isLinked() || !announcement.active()) {
            return Behaviors.same();
        }
        sendConReq();
        int attempt = announcement.sent(probes.lastRound());
        timers.startSingleTimer(AnnounceTick.INSTANCE, ctx.link().backoff(attempt));
        return Behaviors.same();
    }

    private Behavior<Command> onReverifyTick() {
        return distrusted().map(this::untrusted).orElse(Behaviors.same());
    }

    /** Why a linked peer's certificate no longer stands (revoked, expired, other CA), or empty. */
    private Optional<String> distrusted() {
        if (!isLinked() || setup.identity().isEmpty()) {
            return Optional.empty();
        }
        return ctx.check().recheck(setup.identity().get());
    }

    /** The peer's certificate no longer stands: the link goes down at once, and the peer is told why. */
    private Behavior<Command> untrusted(String why) {
        link.setups().linkDistrusted();
        ctx.channel().send(new Close(ctx.self().name(), why), endpoint);
        context.getLog().atWarn().addKeyValue("peer", peer).addKeyValue("reason", why).log("link to {} closed: {}", peer, why);
        return backToSeeking(why);
    }

    private boolean isLinked() {
        LinkState state = link.snapshot().state();
        return state == LinkState.UP || state == LinkState.HANDSHAKING;
    }

    /** Checks a hello; if believable, asks the policy for this node's decision (answer: PolicyDecided). */
    private void verifyThenDecide(Endpoint from, Hello hello) {
        HelloCheck.Verdict v = ctx.check().check(hello, from);
        if (v instanceof HelloCheck.Rejected r) {
            refusals.reject(ctx, from, r);
        } else if (((HelloCheck.Accepted) v).repeat()) {
            onRepeat(from, hello, ((HelloCheck.Accepted) v).identity());
        } else {
            askPolicy(from, hello, ((HelloCheck.Accepted) v).identity());
        }
    }

    /**
     * While seeking, a verified hello whose first copy came from another address: only a path proof. An
     * answer to our request sent here proves this address (the first copy may have been an attacker's, sent
     * from its own address); anything else earns it a challenge.
     */
    private void onRepeat(Endpoint from, Hello hello, Optional<PeerIdentity> identity) {
        if (hello instanceof ConResp resp && probes.validates(resp, from)) {
            askPolicy(from, hello, identity);           // decided as the first copy was; this time from a proven address
        } else {
            ctx.counters().drop(Drop.HELLO_REPLAY);     // seen from another address: only its address may prove itself
            probes.challenge(ctx, from, setup.stated(), System.nanoTime());
        }
    }

    /** True if the hello's source may be the link's endpoint: trusted, or it answers a request sent there. */
    private boolean proves(Endpoint from, Hello hello) {
        boolean answered = hello instanceof ConResp resp && probes.validates(resp, from);
        if (answered || probes.trusted(from)) {
            probes.proven(from);
            return true;
        }
        return false;
    }

    private void askPolicy(Endpoint from, Hello hello, Optional<PeerIdentity> identity) {
        askPolicy(PeerInfo.of(hello).address(), identity, decision -> new PolicyDecided(from, hello, identity, decision));
    }

    /** Asks the policy for this node's decision about the peer at overlay {@code address}; it answers {@code answer(decision)}. */
    private void askPolicy(OverlayAddress address, Optional<PeerIdentity> identity,
                           Function<SecurityDecision, Command> answer) {
        context.ask(SecurityDecision.class, ctx.policy(), Duration.ofSeconds(3),
                replyTo -> new SecurityPolicy.Decide(peer, identity, replyTo),
                (decision, failure) -> answer.apply(decision == null ? new SecurityDecision(true, "policy unavailable") : decision));
    }

    private void sendConReq() {
        probes.request(ctx, endpoint, setup.stated());
    }

    // ---- NAT traversal: candidates, relayed links moving to a direct path (docs/nat.md) -------------------

    private Behavior<Command> onCandidatesLearned(CandidatesLearned c) {
        candidates.learn(c.direct(), c.relay(), c.via());
        if (!isLinked()) {
            sendConReq();                               // probe the new candidates now, not at the next retry
        }
        return Behaviors.same();
    }

    /** Verified, a forwarded hello is only a list of places to probe: the link comes up on a direct (or relayed) path. */
    private Behavior<Command> onSignaled(Signaled s) {
        if (probes.signaled(ctx, s.hello()) instanceof HelloCheck.Accepted ok && !isLinked()) {
            sendConReq();                               // our probes open our NAT for the peer's own
            if (s.hello() instanceof ConReq req) {
                askPolicy(PeerInfo.of(req).address(), ok.identity(), decision -> new SignalDecided(req, decision));
            }
        }
        return Behaviors.same();
    }

    /** Answers a forwarded con_req through the rendezvous, so the peer learns our candidates and probes them. */
    private Behavior<Command> onSignalDecided(SignalDecided d) {
        if (!isLinked()) {
            probes.answerThroughRendezvous(ctx, d.request().nonce(), d.decision().secure());
        }
        return Behaviors.same();
    }

    /**
     * A verified answer, from {@code at}, to a request sent there: {@code at} is the peer's. The same peer
     * process: an up link moves there (same indexes, same keys), but never from a direct path onto a relay.
     * Another process of the peer (it restarted behind a new address): the link is set up again there.
     */
    private Behavior<Command> onPathAnswered(Endpoint at, ConResp resp) {
        HelloCheck.Verdict v = ctx.check().check(resp, at);
        if (v instanceof HelloCheck.Rejected r) {
            refusals.reject(ctx, at, r);
            return Behaviors.same();
        }
        if (candidates.isRelayed(at) && !candidates.isRelayed(endpoint)) {
            return Behaviors.same();
        }
        if (setup.samePeerProcess(resp)) {
            if (link.snapshot().state() == LinkState.UP) {
                moveTo(at);                             // while handshaking, the handshake's own path decides
            }
            return Behaviors.same();
        }
        if (!setup.newer(resp) || ((HelloCheck.Accepted) v).repeat()) {
            ctx.counters().drop(Drop.HELLO_SUPERSEDED);
            return Behaviors.same();
        }
        endpoint = at;
        probes.proven(at);
        Behavior<Command> next = backToSeeking("peer restarted (new instance) at " + at);
        askPolicy(at, resp, ((HelloCheck.Accepted) v).identity());
        return next;
    }

    private void moveTo(Endpoint at) {
        String via = candidates.via(endpoint);
        context.getLog().info("link to {}: {} answers as the peer, moving there from {}", peer, at,
                via == null ? endpoint : "the relay via " + via);
        endpoint = at;
        probes.proven(at);
        publisher.state(link.snapshot().state(), via != null && candidates.via(at) == null
                ? "moved from relay to direct path" : "moved to " + at + " (path validated)", endpoint);
        publisher.routed(endpoint, cipher);
    }
}
