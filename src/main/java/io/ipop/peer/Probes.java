package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import java.util.ArrayDeque;

/**
 * The {@code con_req}s one {@link PeerSession} sends to find its peer (and its answers to the peer's),
 * where it sends them, and the nonces they carried (an answer counts only if it echoes one of the last
 * {@value #NONCES_KEPT}: eight retries' worth when each retry also goes through a rendezvous).
 * Where (docs/nat.md):
 * <ol>
 *   <li>{@link #request}: the peer's configured endpoint, where it was last heard from, and every
 *       candidate — all at once, so both sides' probes cross and open their NATs;</li>
 *   <li>{@link #requestThroughRendezvous}: the same, with its own nonce, through each rendezvous that
 *       forwards link setup, for a peer that cannot hear this node directly yet;</li>
 *   <li>{@link #requestDirect}: on a relayed link, the direct candidates only, to find a direct path
 *       ({@link #keepaliveSent}: every {@value #PROBE_EVERY}th keepalive).</li>
 * </ol>
 * A hello a rendezvous forwarded ({@link #signaled}) only adds candidates to probe.
 * Not thread-safe: one session's state. Methods take the session's current {@link LinkContext}, which a
 * reload replaces.
 */
final class Probes {
    static final int NONCES_KEPT = 16;
    /** On a relayed link, direct candidates are probed every this many keepalives. */
    static final int PROBE_EVERY = 4;

    private final String peer;
    private final PeerLink link;
    private final Candidates candidates;
    private final ArrayDeque<String> sentNonces = new ArrayDeque<>();
    private Endpoint configured;

    Probes(String peer, PeerLink link, Endpoint configured) {
        this.peer = peer;
        this.link = link;
        this.configured = configured;
        this.candidates = new Candidates(link::publishCandidates);
    }

    Candidates candidates() {
        return candidates;
    }

    /** A reload gave the peer another configured endpoint. */
    void reconfigure(Endpoint endpoint) {
        configured = endpoint;
    }

    /** True if {@code echo} is the nonce of one of the last requests sent. */
    boolean sent(String echo) {
        return sentNonces.contains(echo);
    }

    /** The nonce of the last request built, or null before any. */
    String lastNonce() {
        return sentNonces.peekLast();
    }

    /** A request to every place the peer may be; {@code endpoint}: where it was last heard from (or configured). */
    void request(LinkContext ctx, Endpoint endpoint, Boolean decision) {
        ConReq req = newRequest(ctx, decision);
        ctx.channel().send(req, configured);
        if (!endpoint.equals(configured)) {
            ctx.channel().send(req, endpoint);
        }
        for (Endpoint c : candidates.all()) {
            if (!c.equals(configured) && !c.equals(endpoint)) {
                ctx.channel().send(req, c);
            }
        }
    }

    /** A request through each rendezvous that forwards link setup (nothing is built if there is none). */
    void requestThroughRendezvous(LinkContext ctx, Boolean decision) {
        ctx.signaling().forward(peer, () -> newRequest(ctx, decision));
    }

    /** The answer to the peer's request with nonce {@code echo}, stating this side's decision, sent to {@code to}. */
    void answer(LinkContext ctx, String echo, boolean secure, Endpoint to) {
        ctx.channel().send(response(ctx, echo, secure), to);
    }

    /** The answer to the peer's forwarded request with nonce {@code echo}, through the rendezvous too. */
    void answerThroughRendezvous(LinkContext ctx, String echo, boolean secure) {
        ctx.signaling().forward(peer, () -> response(ctx, echo, secure));
    }

    /**
     * Keepalive {@code seq} went to {@code endpoint}: if that is a relayed candidate, every
     * {@value #PROBE_EVERY}th keepalive also probes the direct candidates (a direct path may have appeared).
     */
    void keepaliveSent(LinkContext ctx, Endpoint endpoint, long seq, Boolean decision) {
        if (candidates.isRelayed(endpoint) && seq % PROBE_EVERY == 0) {
            requestDirect(ctx, decision);
        }
    }

    /**
     * A hello a rendezvous forwarded (signaling only): verified, its candidates are learned; rejected, it is
     * counted, and nobody is told (the sender is at no address of ours yet).
     */
    HelloCheck.Verdict signaled(LinkContext ctx, Hello hello) {
        HelloCheck.Verdict v = ctx.check().check(hello);
        if (v instanceof HelloCheck.Rejected r) {
            ctx.counters().drop(r.counter());
        } else {
            candidates.learn(Candidates.of(hello.cands()), null, null);
        }
        return v;
    }

    /** On a linked session: a request the peer answers as a duplicate, from wherever it reaches us. */
    void requestDirect(LinkContext ctx, Boolean decision) {
        ConReq req = newRequest(ctx, decision);
        for (Endpoint c : candidates.direct()) {
            ctx.channel().send(req, c);
        }
        if (!candidates.isRelayed(configured)) {
            ctx.channel().send(req, configured);
        }
    }

    private ConResp response(LinkContext ctx, String echo, boolean secure) {
        return ctx.hellos().response(peer, link.localIndex(), echo, secure);
    }

    private ConReq newRequest(LinkContext ctx, Boolean decision) {
        ConReq req = ctx.hellos().request(peer, link.localIndex(), decision);
        sentNonces.addLast(req.nonce());
        if (sentNonces.size() > NONCES_KEPT) {
            sentNonces.removeFirst();
        }
        return req;
    }
}
