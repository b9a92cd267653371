package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.event.Level;

/**
 * The state machine of one peer link, sans-IO (boringtun's {@code Tunn}, Nebula's handshake machine):
 * {@link #handle} takes a {@link LinkEvent} with the time it happened at and returns the
 * {@link LinkEffect}s to carry out, in order. No actor, socket, thread or clock read: the time comes with
 * each event, timers and the policy are effects and their answers events, and the DTLS handshake is
 * started, fed and cancelled by effects and ends in an event. {@link PeerSession} drives it.
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
 * <p>Reload: {@link LinkEvent.Reconfigure} hands the machine the node's new identity and security. A linked
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
 * <p>States (docs/architecture.md, "The link machine"): <b>seeking</b> ({@code connecting} before the link
 * was ever up, {@code lost} after) sends {@code con_req} with capped backoff until it has the peer's
 * verified hello and decision and its own; <b>handshaking</b> runs DTLS on a link both sides agreed to
 * secure; <b>up</b> keeps the link alive, rekeys it, and notices a peer that moved, restarted or went
 * silent; <b>stopped</b> takes nothing more. What each state does is docs/protocol.md; the rules live in
 * the classes beside this one ({@link LinkSetup}, {@link LinkHandshake}, {@link Liveness}, {@link Probes},
 * {@link Refusals}, {@link LinkPublisher}, {@link Rekeying}, {@link Announcement}); the linked state's
 * handling of control messages is {@link SeekingControl} and {@link LinkedControl}, reloads are {@link LinkReload}.
 *
 * <p>Besides its effects it writes the link's shared handle ({@link PeerLink}: snapshot, receiver index,
 * counters) and counts drops; those are memory, read by management and the data path.
 * Not thread-safe: one session's, fed one event at a time.
 */
public final class LinkMachine {

    /** The timers a machine starts; a tick comes back as {@link LinkEvent.Tick}. */
    public enum Timer { RETRY, PING, LIVENESS, ANNOUNCE, REVERIFY }

    /** What a {@link LinkEffect.AskPolicy} is about; it comes back with the decision. */
    public sealed interface Question {
    }

    /** This side's decision about the sender of a verified hello that arrived from {@code from}. */
    record AboutHello(Endpoint from, Hello hello, Optional<PeerIdentity> identity) implements Question {
    }

    /** This side's decision about the linked peer after a reload. */
    enum AfterReload implements Question { INSTANCE }

    /** This side's decision to state in the answer to a con_req a rendezvous forwarded. */
    record AboutSignal(ConReq request) implements Question {
    }

    enum Phase { SEEKING, HANDSHAKING, UP, STOPPED }

    final PeerId peer;
    final PeerLink link;
    final Probes probes;
    final Candidates candidates;
    final LinkSetup setup = new LinkSetup();
    final LinkOutbox out = new LinkOutbox();
    final LinkHandshake dtls = new LinkHandshake(out);
    final Liveness liveness;
    final LinkPublisher publisher;
    final Refusals refusals;
    final Announcement announcement = new Announcement();
    final Rekeying rekeying;
    private final SeekingControl hellos = new SeekingControl(this);
    private final LinkedControl linked = new LinkedControl(this);
    private final LinkReload reload = new LinkReload(this);

    LinkContext ctx;
    Endpoint endpoint;
    LinkCipher cipher;
    long now;
    private boolean everUp;
    private Phase phase = Phase.SEEKING;
    private LinkState seeking = LinkState.CONNECTING;
    private int attempt;
    private SecurityDecision decision;

    /**
     * A machine for the link to {@code peer}, configured at {@code endpoint}, whose shared handle is {@code link};
     * {@code clock} dates the snapshots management shows (wall time; the machine's own time comes with events).
     */
    public LinkMachine(LinkContext ctx, PeerId peer, Endpoint endpoint, PeerLink link, Clock clock) {
        this.ctx = ctx.sendingTo(out);
        this.peer = peer;
        this.endpoint = endpoint;
        this.link = link;
        this.probes = new Probes(peer, link, endpoint, link.discoveredBy() == Discovery.STATIC);
        this.candidates = probes.candidates();
        this.liveness = new Liveness(ctx.link().deadAfter(), ctx.link().idleKeepalive(),
                ctx.self().name().compareTo(peer.name()) > 0, () -> now);
        this.publisher = new LinkPublisher(peer, link, setup, out, clock);
        this.refusals = new Refusals(peer, publisher, out::logger, () -> now);
        this.rekeying = new Rekeying(peer, dtls, setup, link.setups(), out::logger, () -> now);
    }

    /** Handles {@code event}, which happened at {@code nowNanos} (a monotonic clock); returns what to do. */
    public List<LinkEffect> handle(LinkEvent event, long nowNanos) {
        now = nowNanos;
        Endpoint before = endpoint;
        boolean wasUp = phase == Phase.UP;
        if (phase != Phase.STOPPED && !(phase == Phase.SEEKING ? whileSeeking(event) : whileLinked(event))) {
            inAnyState(event);
        }
        if (wasUp && (phase != Phase.UP || !before.equals(endpoint)) && ctx.channel().viaBirthday(before)) {
            ctx.channel().releaseBirthday(before);      // the link closed or moved: its extra socket closes now
        }
        return out.drain();
    }

    Phase phase() {
        return phase;
    }

    // ---- seeking (connecting / lost): con_req with backoff until hello and decision of the peer are in -------

    private boolean whileSeeking(LinkEvent event) {
        if (event instanceof LinkEvent.Control c) {
            hellos.onControlWhileSeeking(c);
        } else if (event instanceof LinkEvent.Decided d && d.question() instanceof AboutHello q) {
            onPolicyDecided(q, d.decision());
        } else if (event instanceof LinkEvent.Dtls d) {
            dtls.keepEarly(d.record());                 // the peer may start DTLS just before we agree
        } else if (event instanceof LinkEvent.Tick t && t.timer() == Timer.RETRY) {
            seek(seeking, attempt + 1);
        } else {
            return false;
        }
        return true;
    }

    private void seek(LinkState state, int attempt) {
        phase = Phase.SEEKING;
        seeking = state;
        this.attempt = attempt;
        if (link.snapshot().state() != state) {
            publisher.state(state, state == LinkState.LOST ? link.snapshot().reason() : "connecting", endpoint);
        }
        sendConReq();
        probes.requestThroughRendezvous(ctx, setup.stated());
        out.accept(new LinkEffect.StartTimer(Timer.RETRY, ctx.link().backoff(attempt), false));
    }

    void onPolicyDecided(AboutHello d, SecurityDecision mine) {
        Hello hello = d.hello();
        candidates.learn(Candidates.of(hello.cands()), null, null);
        setup.heard(hello, d.identity(), mine);
        if (hello instanceof ConReq req) {
            probes.answer(ctx, req.nonce(), mine.secure(), d.from());
        }
        boolean proven = hellos.proves(d.from(), hello);
        if (proven) {
            endpoint = d.from();
        } else {
            ctx.counters().drop(SetupDrop.HELLO_UNPROVEN_PATH);   // taken as the peer's word, not as its address
        }
        if (setup.peerDecision() == null) {
            sendConReq();                               // tell the peer our decision at once
        }
        if (!proven) {
            probes.challenge(ctx, d.from(), setup.stated(), now);
        }
        if (setup.peerDecision() == null || !proven) {
            return;
        }
        SecurityDecision agreed = setup.agreed();
        if (!agreed.secure()) {
            up(agreed, null, "plaintext link agreed (" + agreed.reason() + ")");
        } else if (ctx.identity().isEmpty() || setup.identity().isEmpty()) {
            refusals.cannotSecure(ctx, agreed, endpoint);
        } else {
            handshaking(agreed);
        }
    }

    // ---- handshaking and up ---------------------------------------------------------------------------------

    private boolean whileLinked(LinkEvent event) {
        if (event instanceof LinkEvent.Control c) {
            linked.onControl(c);
        } else if (event instanceof LinkEvent.Decided d && d.question() instanceof AboutHello q) {
            linked.onPolicyDecided(q, d.decision());
        } else if (event instanceof LinkEvent.Dtls d) {
            countIgnored(phase == Phase.HANDSHAKING ? dtls.receive(d.record())
                    : cipher == null ? dtls.receiveWhileUp(d.record()) : rekeying.receive(ctx, cipher, d.record(), endpoint));
        } else if (event instanceof LinkEvent.HandshakeDone done) {
            onHandshakeDone(done);
        } else if (event instanceof LinkEvent.Tick t && phase == Phase.UP && t.timer() == Timer.PING) {
            onPingTick();
        } else if (event instanceof LinkEvent.Tick t && phase == Phase.UP && t.timer() == Timer.LIVENESS) {
            long activity = link.counters().activity();
            if (liveness.silentTooLong(activity)) {
                lost("nothing heard from peer for " + ctx.link().deadAfter().toMillis() + " ms");
            } else if (ctx.link().pingsWhenIdle() && liveness.keepaliveDue(activity)) {
                keepalive();                            // idle long enough: at the tick that measured it
            }
        } else {
            return false;
        }
        return true;
    }

    private void handshaking(SecurityDecision agreed) {
        out.accept(new LinkEffect.CancelTimer(Timer.RETRY));
        DtlsHandshake.Role role = LinkHandshake.role(ctx.self().name(), peer);
        try {
            dtls.start(role, setup.identity().orElseThrow(), setup.remote().index(), endpoint, null);
        } catch (CertificateEncodingException e) {
            lost("cannot encode the peer's certificate: " + e.getMessage());
            return;
        }
        publisher.state(LinkState.HANDSHAKING, "DTLS handshake as " + role.name().toLowerCase() + " ("
                + agreed.reason() + ")", endpoint, agreed, null);
        phase = Phase.HANDSHAKING;
        decision = agreed;
    }

    private void onHandshakeDone(LinkEvent.HandshakeDone done) {
        if (phase == Phase.UP) {
            if (rekeying.isRunning(done.run()) && cipher != null) {
                rekeying.done(ctx, cipher, done.failure(), endpoint);
            }
            return;
        }
        if (!dtls.isCurrent(done.run())) {
            return;
        }
        if (done.failure() != null) {
            ctx.counters().drop(SetupDrop.DTLS_FAILED);
            link.setups().handshakeFailed();
            String why = "DTLS handshake failed: " + LinkHandshake.failure(done.failure());
            out.log(Level.WARN, "link to {}: {}", peer, why);
            backToSeeking(why, null);
            return;
        }
        link.setups().handshakeOk();
        up(decision, done.keys(), "DTLS up, " + done.keys().cipherSuite());
    }

    /** Counts a DTLS record the handshake did not take. */
    private void countIgnored(boolean taken) {
        if (!taken) {
            ctx.counters().drop(SetupDrop.DTLS_IGNORED);
        }
    }

    private void up(SecurityDecision agreed, SessionKeys keys, String reason) {
        out.accept(new LinkEffect.CancelTimer(Timer.RETRY));
        cipher = keys == null ? null : LinkCipher.of(keys, setup.remote().index());
        if (keys != null) {
            keys.erase();                               // the cipher holds its own copies
        }
        rekeying.reset();
        everUp = true;
        link.setups().linkUp();
        liveness.restart(link.counters().activity());
        String why = OverlayPaths.isOverlay(endpoint)
                ? reason + "; over the overlay" + (discoveredOverlay() ? "" : ": no direct path answered, still probing for one")
                : candidates.isRelayed(endpoint)
                ? reason + "; relayed: no direct path answered (a symmetric NAT or a filter in the way), still probing for one"
                : reason;
        publisher.state(LinkState.UP, why, endpoint, agreed, keys == null ? null : keys.cipherSuite());
        publisher.routed(endpoint, cipher);
        out.log(Level.INFO, "link to {} up: {} at {}, {} ({})", peer, setup.remote().address(), endpoint,
                cipher == null ? "plaintext" : "secure " + keys.cipherSuite(), agreed.reason());
        probes.requestBetter(ctx, endpoint, setup.stated(), now);   // a path that ranks above this one may answer
        // pinging only when idle, the liveness tick sends the keepalive; this timer then only rekeys
        out.accept(new LinkEffect.StartTimer(Timer.PING,
                ctx.link().pingsWhenIdle() ? liveness.tick() : ctx.link().keepaliveInterval(), true));
        out.accept(new LinkEffect.StartTimer(Timer.LIVENESS, liveness.tick(), true));
        phase = Phase.UP;
        decision = agreed;
    }

    private void onPingTick() {
        if (!ctx.link().pingsWhenIdle()) {
            keepalive();
        }
        if (cipher != null) {
            rekeying.tick(ctx, cipher, endpoint);
        }
    }

    private void keepalive() {
        ctx.channel().send(liveness.nextPing(ctx.self().name()), endpoint);
        LinkEffect.OpenBirthday birthday = probes.keepaliveSent(ctx, endpoint, liveness.pingsSent(), setup.stated(), now);
        if (birthday != null) {
            out.log(Level.INFO, "link to {}: relayed, and this node is behind a symmetric NAT: birthday probing toward {}",
                    peer, birthday.toward());
            out.accept(birthday);
        }
        if (cipher != null) {
            byte[] keepalive = cipher.seal(new byte[0], 0, 0);  // authenticated liveness for the peer
            ctx.channel().sendRaw(keepalive, endpoint);
        }
    }

    void lost(String reason) {
        out.log(Level.WARN, "link to {} lost: {}", peer, reason);
        backToSeeking(reason, null);
    }

    /**
     * Drops whatever the link had (route, handshake, keys, decisions) and reconnects from scratch;
     * {@code known}: this side's decision, already stated in the first con_req (null if none).
     */
    void backToSeeking(String reason, SecurityDecision known) {
        out.accept(new LinkEffect.CancelTimer(Timer.PING));
        out.accept(new LinkEffect.CancelTimer(Timer.LIVENESS));
        out.accept(new LinkEffect.CancelTimer(Timer.ANNOUNCE));
        announcement.stop();
        dtls.reset();                                   // records of the abandoned attempt must not seed the next
        rekeying.reset();
        cipher = null;
        link.renewIndex();                              // a new setup, a new receiver index (docs/security.md)
        setup.restart(known);
        publisher.unrouted();
        LinkState state = everUp ? LinkState.LOST : LinkState.CONNECTING;
        publisher.state(state, reason, endpoint, null, null);
        seek(state, 0);
    }

    // ---- in any state ----------------------------------------------------------------------------------------

    private void inAnyState(LinkEvent event) {
        if (event == LinkEvent.Start.INSTANCE) {
            out.accept(new LinkEffect.StartTimer(Timer.REVERIFY, ctx.security().reverifyInterval(), true));
            seek(LinkState.CONNECTING, 0);
        } else if (event instanceof LinkEvent.Close c) {
            if (link.snapshot().state() == LinkState.UP) {
                ctx.channel().send(new Close(ctx.self().name(), c.reason()), endpoint);
            }
            onStopping();
            phase = Phase.STOPPED;
            out.accept(LinkEffect.Stop.INSTANCE);
        } else if (event == LinkEvent.Restarting.INSTANCE) {
            onStopping();
        } else if (event instanceof LinkEvent.Reconfigure r) {
            reload.onReconfigure(r);
        } else if (event instanceof LinkEvent.Decided d && d.question() == AfterReload.INSTANCE) {
            reload.onRedecided(d.decision());
        } else if (event instanceof LinkEvent.Decided d && d.question() instanceof AboutSignal q) {
            if (!isLinked()) {                          // answered through the rendezvous: the peer learns our candidates
                probes.answerThroughRendezvous(ctx, q.request().nonce(), d.decision().secure());
            }
        } else if (event instanceof LinkEvent.CandidatesLearned c) {
            candidates.learn(c.direct(), c.relay(), c.via());
            if (!isLinked()) {
                sendConReq();                           // probe the new candidates now, not at the next retry
            } else if (phase == Phase.UP && OverlayPaths.isOverlay(endpoint) && c.relay() != null) {
                probes.requestRelays(ctx, setup.stated(), now);   // a link on its overlay fallback asks a new relay now
            }
        } else if (event instanceof LinkEvent.Signaled s) {
            onSignaled(s);
        } else if (event == LinkEvent.DirectWanted.INSTANCE) {
            probes.releaseDirect();                     // an on-demand direct link: the peer's candidates, probed now
            if (phase == Phase.UP) {
                probes.requestBetter(ctx, endpoint, setup.stated(), now);
            }
        } else if (event instanceof LinkEvent.Unroutable u && isLinked()) {
            lost(u.reason());
        } else if (event instanceof LinkEvent.Tick t && t.timer() == Timer.ANNOUNCE) {
            reload.onAnnounceTick();
        } else if (event instanceof LinkEvent.Tick t && t.timer() == Timer.REVERIFY) {
            reload.distrusted().ifPresent(reload::untrusted);
        }
        // anything else: a tick, answer or record for a state since left
    }

    private void onStopping() {
        dtls.cancel();
        publisher.unrouted();
    }

    /** Verified, a forwarded hello is only a list of places to probe: the link comes up on a direct (or relayed) path. */
    private void onSignaled(LinkEvent.Signaled s) {
        if (!(probes.signaled(ctx, s.hello(), now) instanceof HelloCheck.Accepted ok)) {
            return;
        }
        if (!isLinked()) {
            sendConReq();                               // the peer is open toward us: probe it in full now
            if (s.hello() instanceof ConReq req) {
                out.accept(new LinkEffect.AskPolicy(ok.identity(), new AboutSignal(req)));
            }
        } else if (candidates.isRelayed(endpoint)) {
            probes.requestDirect(ctx, setup.stated(), now);   // a relayed peer looks for a direct path
        }
        if (s.hello() instanceof ConReq req && req.asksBirthday()
                && (!isLinked() || candidates.isRelayed(endpoint))) {
            probes.birthdayAsEasy(ctx, req, setup.stated(), now);   // the peer opened its sockets toward us: guess them
        }
    }

    // ---- shared ----------------------------------------------------------------------------------------------

    /** True for an overlay session (opened on demand to a member the topology does not link directly). */
    private boolean discoveredOverlay() {
        return link.discoveredBy() == Discovery.OVERLAY;
    }

    boolean isLinked() {
        LinkState state = link.snapshot().state();
        return state == LinkState.UP || state == LinkState.HANDSHAKING;
    }

    void askPolicy(Endpoint from, Hello hello, Optional<PeerIdentity> identity) {
        out.accept(new LinkEffect.AskPolicy(identity, new AboutHello(from, hello, identity)));
    }

    void sendConReq() {
        probes.request(ctx, endpoint, setup.stated(), now);
    }
}
