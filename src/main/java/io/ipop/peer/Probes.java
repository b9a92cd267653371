package io.ipop.peer;

import io.ipop.dataplane.OverlayPaths;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The {@code con_req}s one {@link PeerSession} sends to find its peer (and its answers to the peer's),
 * where it sends them, and the nonces they carried (an answer counts only if it echoes one of the last
 * {@value #NONCES_KEPT}). Every destination gets a request with a nonce of its own, so a verified answer
 * that echoes it and comes <em>from</em> that destination proves the address reaches the peer: path
 * validation ({@link #validates}, docs/protocol.md "Endpoints"). A link's endpoint is only ever an address
 * proven that way, the configured endpoint of a static peer (the operator's word), or the link's last proven
 * one ({@link #proven}); a verified hello from any other address only earns that address a {@link #challenge}.
 * Where (docs/nat.md):
 * <ol>
 *   <li>{@link #request}: the peer's configured endpoint, where it was last heard from, and every
 *       candidate — all at once, so both sides' probes cross and open their NATs;</li>
 *   <li>{@link #requestThroughRendezvous}: the same, with its own nonce, through each rendezvous that
 *       forwards link setup, for a peer that cannot hear this node directly yet;</li>
 *   <li>{@link #requestDirect}: on a relayed link, the direct candidates only, to find a direct path
 *       ({@link #keepaliveSent}: every {@value #PROBE_EVERY}th keepalive);</li>
 *   <li>{@link #requestBetter}: on a direct link, the candidates that {@link #rank} above its path, when it comes
 *       up and every {@value #PROBE_EVERY}th keepalive.</li>
 * </ol>
 * <b>Which path</b> ({@link #rank}): a path the peer itself named (a candidate of its signed hellos or of an
 * announcement, or a static peer's configured endpoint) ranks above any other direct one — an address only a
 * challenge found, or a candidate at one of this node's own addresses (two nodes behind one NAT: the peer's public
 * endpoint is this node's public address, and that path is the NAT's hairpin, whose traffic arrives from the
 * router's LAN address) — and every direct path above a relay. An up link moves up that order when a better path
 * answers, so both sides of two hosts behind one NAT settle on their LAN path, the one whose datagrams arrive
 * from the very address each side sends to (docs/nat.md, case (f)).
 * A hello a rendezvous forwarded ({@link #signaled}) only adds candidates to probe.
 *
 * <p><b>Openers first.</b> A NAT that lets unsolicited datagrams reach its own stack keeps state for the first
 * probe that arrives before its inside has sent anything to the prober, and that state then takes the port the
 * inside's own probe needs: the pair stays unlinkable while probes keep it alive (docs/nat.md, "The NAT
 * matrix"). So a session that can signal through a rendezvous ({@link Signaling#canForward}) sends each
 * candidate only <em>openers</em> at first: the same request with an IP TTL of {@link #OPENER_TTLS}, which passes
 * this side's NATs (opening their mappings and filters toward the candidate) and dies a router or two beyond,
 * before the peer's NAT. The request through the rendezvous goes after them, so when it reaches the peer, this
 * side is open; the peer then probes in full at once, and answers through the rendezvous, which is the signal
 * for this side to probe in full too ({@link #signaled}, for {@value #ARMED_SECONDS} s). A static peer's
 * configured endpoint (the operator's word; not the first candidate a rendezvous named), a relay's ports and
 * a session without a rendezvous are probed in full as before, and so
 * is everything if the underlay cannot limit a datagram's TTL.
 * Not thread-safe: one session's state. Methods take the session's current {@link LinkContext}, which a
 * reload replaces.
 */
final class Probes {
    static final int NONCES_KEPT = 64;
    /** On a relayed link, direct candidates are probed every this many keepalives. */
    static final int PROBE_EVERY = 4;
    /** A challenge goes to one address at most this often... */
    static final long CHALLENGE_GAP_NANOS = 500_000_000L;
    /** ...and to at most this many distinct addresses a second. */
    static final int CHALLENGES_PER_SECOND = 8;
    /**
     * The TTLs of the openers: 2 passes one NAT in front of this host and dies at the next router (an ISP's), 3
     * passes a home NAT and a carrier-grade one. Two hosts whose NATs are fewer than three routers apart (rare on
     * the internet) may still reach each other's NAT with the second: then the pair falls back to the relay.
     */
    static final int[] OPENER_TTLS = {2, 3};
    /**
     * {@link #rank}s: an overlay path (FORWARD through other nodes), a relayed path, another direct one, and one the
     * peer named and not via this node's address.
     */
    static final int OVERLAY = -1;
    static final int RELAYED = 0;
    static final int OTHER_DIRECT = 1;
    static final int NAMED = 2;
    /** A signal from the peer lets this side probe in full for this long. */
    static final long ARMED_SECONDS = 10;

    private final PeerId peer;
    private final PeerLink link;
    private final Candidates candidates;
    private final BirthdayProbing birthday;
    /** Nonce of each request sent → where it went (null: through a rendezvous). */
    private final LinkedHashMap<String, Endpoint> sentNonces = new LinkedHashMap<>();
    private final LinkedHashMap<Endpoint, Long> challenged = new LinkedHashMap<>();
    /** The nonces of the requests the last {@link #request} sent, one per destination. */
    private final List<String> round = new ArrayList<>();
    private final boolean configuredTrusted;
    private Endpoint configured;
    private Endpoint proven;
    private long challengeSecond;
    private int challengesThisSecond;
    /** When the peer last signaled through a rendezvous (its NAT is open toward this side's candidates). */
    private long signaledAtNanos;
    private boolean signaledOnce;

    /** @param configuredTrusted {@code configured} is the operator's word (a static peer): it needs no proof */
    Probes(PeerId peer, PeerLink link, Endpoint configured, boolean configuredTrusted) {
        this.peer = peer;
        this.link = link;
        this.configured = configured;
        this.configuredTrusted = configuredTrusted;
        this.candidates = new Candidates(link::publishCandidates);
        this.birthday = new BirthdayProbing(peer, new java.security.SecureRandom());
        if (OverlayPaths.isOverlay(configured)) {
            candidates.holdDirect(true);                // an overlay session goes direct only on demand
        }
    }

    /** An overlay session may now probe the peer's direct candidates and move there (an on-demand direct link). */
    void releaseDirect() {
        candidates.holdDirect(false);
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
        return sentNonces.containsKey(echo) || birthday.sent(echo);
    }

    /** The nonce of the last request built, or null before any. */
    List<String> lastRound() {
        return List.copyOf(round);
    }

    /** True if {@code resp}, arriving from {@code from}, answers a request that was sent to {@code from}. */
    boolean validates(ConResp resp, Endpoint from) {
        return from != null && (from.equals(sentNonces.get(resp.echo())) || birthday.validates(resp.echo(), from));
    }

    /** True if the path to the peer at {@code e}, answering at {@code nowNanos}, was found by birthday probing (either side's part). */
    boolean foundByBirthday(LinkContext ctx, Endpoint e, long nowNanos) {
        return birthday.found(e, ctx.birthday(), nowNanos) || ctx.channel().viaBirthday(e);
    }

    /** True if the link may use {@code from} without further proof: proven before, or a static peer's configured endpoint. */
    boolean trusted(Endpoint from) {
        return from != null && (from.equals(proven) || (configuredTrusted && from.equals(configured)));
    }

    /** {@code at} answered as the peer (or is trusted): the link's endpoint from now on. */
    void proven(Endpoint at) {
        proven = at;
    }

    /**
     * How much a path to the peer at {@code e} is preferred ({@link #RELAYED} &lt; {@link #OTHER_DIRECT} &lt;
     * {@link #NAMED}; see "Which path" above). Only ever compares paths that answered with the peer's proof.
     */
    int rank(LinkContext ctx, Endpoint e) {
        if (OverlayPaths.isOverlay(e)) {
            return OVERLAY;
        }
        if (candidates.isRelayed(e)) {
            return RELAYED;
        }
        if (configuredTrusted && e.equals(configured)) {
            return NAMED;
        }
        if (!candidates.isDirect(e)) {
            return OTHER_DIRECT;
        }
        for (String own : ctx.hellos().ownCandidates()) {
            if (Endpoint.parse(own).address().getAddress().equals(e.address().getAddress())) {
                return OTHER_DIRECT;                    // through this node's own (public) address: a hairpin
            }
        }
        return NAMED;
    }

    /**
     * On a direct link at {@code endpoint}: a request to each candidate that ranks above it (openers first, as
     * {@link #request}); nothing if none does. The peer answers from wherever they reach it.
     */
    void requestBetter(LinkContext ctx, Endpoint endpoint, Boolean decision, long nowNanos) {
        int current = rank(ctx, endpoint);
        if (current == NAMED) {
            return;
        }
        boolean armed = armed(ctx, nowNanos);
        for (Endpoint c : candidates.direct()) {
            if (rank(ctx, c) > current) {
                probe(ctx, c, newRequest(ctx, decision, c), armed);
            }
        }
    }

    /**
     * On a link over its overlay path (a fallback: docs/architecture.md, "Overlay paths"): a request to each relay
     * candidate, which ranks above it.
     */
    void requestRelays(LinkContext ctx, Boolean decision, long nowNanos) {
        boolean armed = armed(ctx, nowNanos);
        for (Endpoint c : candidates.all()) {
            if (candidates.isRelayed(c) && !OverlayPaths.isOverlay(c)) {
                probe(ctx, c, newRequest(ctx, decision, c), armed);
            }
        }
    }

    /**
     * A request to {@code to} alone, with a nonce of its own: a verified answer from there proves that address
     * is the peer's. At most one per address every {@value #CHALLENGE_GAP_NANOS} ns, and
     * {@value #CHALLENGES_PER_SECOND} addresses a second (a replayed hello from many spoofed sources makes
     * this node send a few requests, not one per copy). False if not sent.
     */
    boolean challenge(LinkContext ctx, Endpoint to, Boolean decision, long nowNanos) {
        Long last = challenged.get(to);
        if (last != null && nowNanos - last < CHALLENGE_GAP_NANOS) {
            return false;
        }
        long second = nowNanos / 1_000_000_000L;
        if (second != challengeSecond) {
            challengeSecond = second;
            challengesThisSecond = 0;
        }
        if (challengesThisSecond >= CHALLENGES_PER_SECOND) {
            return false;
        }
        challengesThisSecond++;
        challenged.remove(to);
        challenged.put(to, nowNanos);
        if (challenged.size() > NONCES_KEPT) {
            challenged.remove(challenged.keySet().iterator().next());
        }
        ctx.channel().send(newRequest(ctx, decision, to), to);
        return true;
    }

    /**
     * A request to every place the peer may be, each with its own nonce; {@code endpoint}: where the link
     * is (or was) — the configured endpoint or the last proven one.
     */
    void request(LinkContext ctx, Endpoint endpoint, Boolean decision, long nowNanos) {
        round.clear();
        boolean armed = armed(ctx, nowNanos);
        if (configuredTrusted) {
            ctx.channel().send(newRequest(ctx, decision, configured), configured);    // the operator's word
        } else {
            probe(ctx, configured, newRequest(ctx, decision, configured), armed);      // where a rendezvous saw it
        }
        if (!endpoint.equals(configured)) {
            probe(ctx, endpoint, newRequest(ctx, decision, endpoint), armed);
        }
        for (Endpoint c : candidates.all()) {
            if (!c.equals(configured) && !c.equals(endpoint)) {
                probe(ctx, c, newRequest(ctx, decision, c), armed);
            }
        }
    }

    /** Openers to {@code to} (unless it is a relay's port or an overlay path), then the request in full if {@code armed}. */
    private void probe(LinkContext ctx, Endpoint to, ConReq req, boolean armed) {
        if (candidates.isRelayed(to) || OverlayPaths.isOverlay(to)) {
            ctx.channel().send(req, to);
            return;
        }
        if (opens(ctx)) {
            for (int ttl : OPENER_TTLS) {
                ctx.channel().sendLimited(req, to, ttl);
            }
        }
        if (armed) {
            ctx.channel().send(req, to);
        }
    }

    /** True if candidates get openers first: the socket can limit a TTL, and a rendezvous can pass a signal on. */
    private boolean opens(LinkContext ctx) {
        return ctx.channel().limitsTtl() && ctx.signaling().canForward(peer);
    }

    /** True if requests may go in full: no openers (as before them), or the peer signaled recently. */
    private boolean armed(LinkContext ctx, long nowNanos) {
        return !opens(ctx) || (signaledOnce && nowNanos - signaledAtNanos < ARMED_SECONDS * 1_000_000_000L);
    }

    /** A request through each rendezvous that forwards link setup (nothing is built if there is none). */
    void requestThroughRendezvous(LinkContext ctx, Boolean decision) {
        ctx.signaling().forward(peer, () -> newRequest(ctx, decision, null));
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
     * Keepalive {@code seq} went to {@code endpoint}: every {@value #PROBE_EVERY}th keepalive also probes the
     * direct candidates if that is a relayed candidate (a direct path may have appeared), else those that rank
     * above it ({@link #requestBetter}). On a relayed link it may also start birthday probing as the hard side:
     * returned, to carry out (null: not now).
     */
    LinkEffect.OpenBirthday keepaliveSent(LinkContext ctx, Endpoint endpoint, long seq, Boolean decision, long nowNanos) {
        if (seq % PROBE_EVERY != 0) {
            return null;
        }
        if (candidates.isRelayed(endpoint)) {
            requestDirect(ctx, decision, nowNanos);
            if (OverlayPaths.isOverlay(endpoint)) {
                requestRelays(ctx, decision, nowNanos);
            }
            LinkEffect.OpenBirthday hard = birthdayAsHard(ctx, decision, nowNanos);
            if (hard == null && !armed(ctx, nowNanos)) {
                requestThroughRendezvous(ctx, decision);  // after the openers: the peer probes in full, and answers
            }
            return hard;                                // its signal is the request through the rendezvous
        }
        requestBetter(ctx, endpoint, decision, nowNanos);
        return null;
    }

    /**
     * A hello a rendezvous forwarded (signaling only): verified, its candidates are learned; rejected, it is
     * counted, and nobody is told (the sender is at no address of ours yet).
     */
    HelloCheck.Verdict signaled(LinkContext ctx, Hello hello, long nowNanos) {
        HelloCheck.Verdict v = ctx.check().check(hello, null);
        if (v instanceof HelloCheck.Rejected r) {
            ctx.counters().drop(r.counter());
        } else {
            candidates.learn(Candidates.of(hello.cands()), null, null);
            signaledAtNanos = nowNanos;                 // the peer opened toward us before it signaled
            signaledOnce = true;
        }
        return v;
    }

    /**
     * Birthday probing, hard side (docs/nat.md): if this node is behind a symmetric NAT and the pair's budget allows,
     * the extra sockets to open toward the peer's public endpoint (the endpoint a rendezvous saw it at, else its
     * first direct candidate), each sending a TTL-limited request, and then, through the rendezvous, a request that
     * asks the peer to guess; null if not now.
     */
    LinkEffect.OpenBirthday birthdayAsHard(LinkContext ctx, Boolean decision, long nowNanos) {
        Endpoint toward = !candidates.isRelayed(configured) && !OverlayPaths.isOverlay(configured) ? configured
                : candidates.direct().isEmpty() ? null : candidates.direct().get(0);
        if (toward == null || !birthday.hardDue(ctx, nowNanos)) {
            return null;
        }
        birthday.hardStarted(nowNanos);
        ConReq opener = ctx.hellos().request(peer, link.localIndex(), decision);   // dies on the way: not remembered
        return new LinkEffect.OpenBirthday(opener, toward, () -> remembered(
                ctx.hellos().request(peer, link.localIndex(), decision, true), null));
    }

    /**
     * Birthday probing, easy side: the peer's verified {@code req} asked for it; unless declined
     * ({@link BirthdayProbing#easyPorts}), one request goes to many random ports of the peer's public address.
     */
    void birthdayAsEasy(LinkContext ctx, ConReq req, Boolean decision, long nowNanos) {
        int[] ports = birthday.easyPorts(ctx, req, nowNanos);
        if (ports == null) {
            return;
        }
        java.net.InetAddress at = BirthdayProbing.publicAddress(req);
        ConReq guess = ctx.hellos().request(peer, link.localIndex(), decision);
        birthday.sprayed(guess.nonce(), at, ports, nowNanos);
        ctx.channel().sprayBirthday(guess, at, ports);
    }

    /** On a linked session: a request the peer answers as a duplicate, from wherever it reaches us. */
    void requestDirect(LinkContext ctx, Boolean decision, long nowNanos) {
        boolean armed = armed(ctx, nowNanos);
        for (Endpoint c : candidates.direct()) {
            probe(ctx, c, newRequest(ctx, decision, c), armed);
        }
        if (configuredTrusted) {
            ctx.channel().send(newRequest(ctx, decision, configured), configured);
        } else if (!candidates.isRelayed(configured)) {
            probe(ctx, configured, newRequest(ctx, decision, configured), armed);
        }
    }

    private ConResp response(LinkContext ctx, String echo, boolean secure) {
        return ctx.hellos().response(peer, link.localIndex(), echo, secure);
    }

    /** A request whose nonce is remembered as sent {@code to} (null: through a rendezvous). */
    private ConReq newRequest(LinkContext ctx, Boolean decision, Endpoint to) {
        return remembered(ctx.hellos().request(peer, link.localIndex(), decision), to);
    }

    private ConReq remembered(ConReq req, Endpoint to) {
        sentNonces.put(req.nonce(), to);
        round.add(req.nonce());
        if (sentNonces.size() > NONCES_KEPT) {
            sentNonces.remove(sentNonces.keySet().iterator().next());
        }
        return req;
    }
}
