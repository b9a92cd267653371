package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import io.ipop.wire.PeerId;
import org.slf4j.event.Level;

/**
 * The {@link LinkMachine}'s handling of control messages on a linked (handshaking or up) link: answers to
 * re-sent requests, a peer that reloaded, restarted or moved (docs/protocol.md, "Endpoints"), keepalives,
 * {@code close}. Part of the machine (its state is the machine's), kept apart for size; sans-IO like it.
 */
final class LinkedControl {
    private final LinkMachine m;

    LinkedControl(LinkMachine machine) {
        this.m = machine;
    }

    /** Control while handshaking or up: answer re-sent requests, notice restarts, keepalives, close. */
    void onControl(LinkEvent.Control c) {
        ControlMessage msg = c.message();
        Endpoint from = c.from();
        boolean fromLinkEndpoint = from.equals(m.endpoint);
        if (m.cipher == null && fromLinkEndpoint) {
            m.link.counters().heard();                  // plaintext link: any control from the peer is life
        }
        if (msg instanceof ConResp resp && fromLinkEndpoint && m.announcement.answered(resp.echo())) {
            m.out.accept(new LinkEffect.CancelTimer(LinkMachine.Timer.ANNOUNCE));  // the peer decided again after our reload
        }
        if (msg instanceof ConReq req) {
            onConReq(from, req);
        } else if (msg instanceof ConResp resp && m.probes.sent(resp.echo()) && !fromLinkEndpoint
                && m.probes.validates(resp, from)) {
            onPathAnswered(from, resp);                 // our challenge (or direct probe) there was answered
        } else if ((msg instanceof Ping || msg instanceof Pong || msg instanceof Close) && !fromLinkEndpoint) {
            // unauthenticated: from elsewhere a ping would make us reflect pongs, a pong fake the RTT, a close cut the link
            m.ctx.counters().drop(SetupDrop.WRONG_ADDRESS);
            if (msg instanceof Ping && m.probes.rank(m.ctx, from) > m.probes.rank(m.ctx, m.endpoint)) {
                // the peer keeps its link on a better path than ours (behind one NAT: its LAN path, ours the
                // hairpin): that address must answer a challenge before the link moves there
                m.probes.challenge(m.ctx, from, m.setup.stated(), m.now);
            }
        } else if (msg instanceof Ping ping) {
            m.ctx.channel().send(new Pong(m.ctx.self().name(), ping.seq(), ping.ts()), from);
            if (m.cipher != null && m.ctx.link().pingsWhenIdle()) {
                // pinging only when idle, the pinging end hears nothing authenticated from here otherwise
                m.ctx.channel().sendRaw(m.cipher.seal(new byte[0], 0, 0), from);
            }
        } else if (msg instanceof Pong pong) {
            m.liveness.roundTrip(pong).ifPresent(m.publisher::roundTrip);
        } else if (msg instanceof ConResp resp && !m.probes.sent(resp.echo())) {
            m.ctx.counters().drop(SetupDrop.UNEXPECTED_RESPONSE);  // a repeated answer to our request is fine; this is not
        } else if (msg instanceof Close close) {
            m.lost("peer closed the link: " + close.reason());
        } else if (msg instanceof ConRej rej) {
            m.refusals.refusedByPeer(m.ctx, rej, from, m.endpoint);
        }
    }

    /**
     * A request on a linked session: answered again, decided again, or the link is set up again — the last
     * only from the link's own endpoint and only if newer than the setup; from elsewhere it earns that address
     * a challenge (path validation), and a copy of a hello seen from another address changes nothing.
     */
    private void onConReq(Endpoint from, ConReq req) {
        HelloCheck.Verdict v = m.ctx.check().check(req, from);
        LinkSetup setup = m.setup;
        if (v instanceof HelloCheck.Rejected r) {
            m.refusals.reject(m.ctx, from, r);
        } else if (((HelloCheck.Accepted) v).repeat()) {
            m.ctx.counters().drop(SetupDrop.HELLO_REPLAY);   // seen from another address: changes nothing here
            challengeUnlessEndpoint(from);
        } else if (setup.isDuplicate(req)) {
            m.probes.answer(m.ctx, req.nonce(), setup.local().secure(), from);  // our con_resp was lost: same decision
            challengeUnlessEndpoint(from);
        } else if (setup.sameSetup(req)) {
            // the peer reloaded other groups or another certificate: decide again, keep the link if unchanged
            m.askPolicy(from, req, ((HelloCheck.Accepted) v).identity());
        } else if (!from.equals(m.endpoint)) {
            m.ctx.counters().drop(SetupDrop.HELLO_UNPROVEN_PATH);  // the peer may have moved: it must prove it there first
            m.probes.challenge(m.ctx, from, setup.stated(), m.now);
        } else if (!setup.newer(req)) {
            m.ctx.counters().drop(SetupDrop.HELLO_SUPERSEDED);     // older than the link's setup: a replay of the past
        } else {
            m.backToSeeking(setup.whySetUpAgain(req), null);
            m.askPolicy(from, req, ((HelloCheck.Accepted) v).identity());
        }
    }

    private void challengeUnlessEndpoint(Endpoint from) {
        if (!from.equals(m.endpoint)) {
            m.probes.challenge(m.ctx, from, m.setup.stated(), m.now);
        }
    }

    /**
     * This side's decision about a peer whose groups or certificate changed on a linked session: an
     * unchanged decision keeps the link (its view of the peer is updated and the request answered);
     * a flipped one sets the link up again in the new mode, from this very hello.
     */
    void onPolicyDecided(LinkMachine.AboutHello d, SecurityDecision decision) {
        LinkSetup setup = m.setup;
        if (!(d.hello() instanceof ConReq req) || !setup.sameSetup(req) || setup.local() == null) {
            return;                                     // stale answer
        }
        if (!setup.flips(decision)) {
            setup.changed(req, d.identity(), decision);
            m.probes.answer(m.ctx, req.nonce(), decision.secure(), d.from());
            LinkSnapshot now = m.link.snapshot();
            m.publisher.state(now.state(), now.reason(), m.endpoint, setup.agreed(), now.cipherSuite());
            return;
        }
        m.backToSeeking("peer's groups or certificate changed: "
                + (decision.secure() ? "secure" : "plaintext") + " now (" + decision.reason() + ")", null);
        m.onPolicyDecided(d, decision);                 // set up again from this very hello
    }

    /**
     * A verified answer, from {@code at}, to a request sent there: {@code at} is the peer's. The same peer
     * process: an up link moves there (same indexes, same keys) from a path that ranks lower ({@link Probes#rank}:
     * from a relay, or from a hairpin onto the peer's LAN address), or from a direct path that is failing, but
     * never from a direct path onto a relay.
     * Another process of the peer (it restarted behind a new address): the link is set up again there.
     */
    private void onPathAnswered(Endpoint at, ConResp resp) {
        HelloCheck.Verdict v = m.ctx.check().check(resp, at);
        if (v instanceof HelloCheck.Rejected r) {
            m.refusals.reject(m.ctx, at, r);
            return;
        }
        if (m.candidates.isRelayed(at) && !m.candidates.isRelayed(m.endpoint)) {
            return;
        }
        if (m.setup.samePeerProcess(resp)) {
            // while handshaking, the handshake's own path decides; an up link moves only up the paths' order
            // (Probes.rank: a relay, another direct path, a path the peer named and not via this node's own
            // address), or anywhere once its own path is failing: two that both work and rank alike (a LAN and a
            // NAT's hairpin would, unranked) would otherwise take turns at every answer
            if (m.link.snapshot().state() == LinkState.UP && !at.equals(m.endpoint)
                    && (m.probes.rank(m.ctx, at) > m.probes.rank(m.ctx, m.endpoint) || m.liveness.failing())) {
                moveTo(at);
            }
            return;
        }
        if (!m.setup.newer(resp) || ((HelloCheck.Accepted) v).repeat()) {
            m.ctx.counters().drop(SetupDrop.HELLO_SUPERSEDED);
            return;
        }
        m.endpoint = at;
        m.probes.proven(at);
        m.backToSeeking("peer restarted (new instance) at " + at, null);
        m.askPolicy(at, resp, ((HelloCheck.Accepted) v).identity());
    }

    private void moveTo(Endpoint at) {
        PeerId via = m.candidates.via(m.endpoint);
        m.out.log(Level.INFO, "link to {}: {} answers as the peer, moving there from {}", m.peer, at,
                via == null ? m.endpoint : "the relay via " + via);
        boolean fromOverlay = OverlayPaths.isOverlay(m.endpoint);
        m.endpoint = at;
        m.probes.proven(at);
        PeerId relay = m.candidates.via(at);
        m.publisher.state(m.link.snapshot().state(), fromOverlay && m.candidates.isRelayed(at)
                ? "moved from overlay to the relay via " + relay + ": no direct path answered (a symmetric NAT or a filter"
                        + " in the way), still probing for one"
                : fromOverlay ? "moved from overlay to direct path"
                : via != null && relay == null && m.probes.foundByBirthday(m.ctx, at, m.now)
                ? "moved from relay to a direct path found by birthday probing"
                : via != null && relay == null
                ? "moved from relay to direct path" : "moved to " + at + " (path validated)", m.endpoint);
        m.publisher.routed(m.endpoint, m.cipher);
    }
}
