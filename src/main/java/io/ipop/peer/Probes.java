package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import java.util.ArrayDeque;

/**
 * The {@code con_req}s one {@link PeerSession} sends to find its peer, where it sends them, and the
 * nonces they carried (an answer counts only if it echoes one of the last {@value #NONCES_KEPT}: eight
 * retries' worth when each retry also goes through a rendezvous).
 * Where (docs/nat.md):
 * <ol>
 *   <li>{@link #request}: the peer's configured endpoint, where it was last heard from, and every
 *       candidate — all at once, so both sides' probes cross and open their NATs;</li>
 *   <li>{@link #requestThroughRendezvous}: the same, with its own nonce, through each rendezvous that
 *       forwards link setup, for a peer that cannot hear this node directly yet;</li>
 *   <li>{@link #requestDirect}: on a relayed link, the direct candidates only, to find a direct path.</li>
 * </ol>
 * Not thread-safe: one session's state. Methods take the session's current {@link LinkContext}, which a
 * reload replaces.
 */
final class Probes {
    static final int NONCES_KEPT = 16;

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

    /** The answer to the peer's forwarded request with nonce {@code echo}, through the rendezvous too. */
    void answerThroughRendezvous(LinkContext ctx, String echo, boolean secure) {
        ctx.signaling().forward(peer, () -> ctx.hellos().response(peer, link.localIndex(), echo, secure));
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

    private ConReq newRequest(LinkContext ctx, Boolean decision) {
        ConReq req = ctx.hellos().request(peer, link.localIndex(), decision);
        sentNonces.addLast(req.nonce());
        if (sentNonces.size() > NONCES_KEPT) {
            sentNonces.removeFirst();
        }
        return req;
    }
}
