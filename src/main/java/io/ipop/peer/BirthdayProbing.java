package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One session's birthday probing (docs/nat.md, "Birthday probing"): for a pair with a symmetric NAT on one side
 * only, whose link found no direct path. The <b>hard side</b> (behind the symmetric NAT) opens many extra sockets
 * toward the easy side's public endpoint, then asks it, in a signed {@code con_req} through the rendezvous
 * ({@code birthday: true}), to send one request to many random ports of the hard side's public address; a guess
 * that hits one of the hard side's mappings gets through, and its answer comes back through the same mapping.
 *
 * <p>Budget: each side starts at most one attempt per pair every {@code attempt-interval}, whatever the other asks;
 * the easy side follows only a verified request, and only if it is not behind a symmetric NAT itself. A guess is
 * one signed request whose nonce goes to many addresses: an answer counts only if it echoes that nonce and comes
 * from one of them (path validation, as for every other probe), and at most {@value #GUESSES_KEPT} such nonces are
 * kept. Not thread-safe: one session's, like {@link Probes}, which owns it.
 */
final class BirthdayProbing {
    /** Ports below this are not guessed: NATs do not map to them. */
    static final int LOWEST_PORT = 1024;
    static final int GUESSES_KEPT = 4;

    private final PeerId peer;
    private final RandomGenerator random;
    private long hardAt;
    private boolean hardOnce;
    private long easyAt;
    private boolean easyOnce;
    /** When the last spray went out, and to which address (null before any). */
    private long sprayedAt;
    private InetAddress sprayedTo;
    /** Nonce of each spray → the address and ports it went to. */
    private final LinkedHashMap<String, Guess> guesses = new LinkedHashMap<>();

    /** Where one spray's request went. */
    record Guess(InetAddress at, Set<Integer> ports) {
        boolean contains(Endpoint e) {
            return e.address().getAddress().equals(at) && ports.contains(e.address().getPort());
        }
    }

    BirthdayProbing(PeerId peer, RandomGenerator random) {
        this.peer = peer;
        this.random = random;
    }

    /** True if this node, the hard side, may start an attempt toward the peer now (it also needs a rendezvous). */
    boolean hardDue(LinkContext ctx, long nowNanos) {
        Birthday b = ctx.birthday();
        return b.enabled() && b.hard() && ctx.signaling().canForward(peer) && due(hardOnce, hardAt, b, nowNanos);
    }

    /** The hard side started an attempt at {@code nowNanos}. */
    void hardStarted(long nowNanos) {
        hardOnce = true;
        hardAt = nowNanos;
    }

    /**
     * The easy side's answer to the peer's verified request for birthday probing: the ports of its public address
     * to guess, or null if declined (counted {@code birthday_declined}): off, behind a symmetric NAT itself, no
     * public address named, or the budget of this pair spent.
     */
    int[] easyPorts(LinkContext ctx, ConReq req, long nowNanos) {
        Birthday b = ctx.birthday();
        if (!b.enabled() || b.hard() || publicAddress(req) == null || !due(easyOnce, easyAt, b, nowNanos)) {
            ctx.counters().drop(SetupDrop.BIRTHDAY_DECLINED);
            return null;
        }
        easyOnce = true;
        easyAt = nowNanos;
        return ports(b.settings().easyGuesses(), random);
    }

    /** The peer's public address: that of its first candidate (its server-reflexive endpoint), or null. */
    static InetAddress publicAddress(ConReq req) {
        if (req.cands() == null || req.cands().isEmpty()) {
            return null;
        }
        return Endpoint.parse(req.cands().get(0)).address().getAddress();
    }

    /** The request with {@code nonce} went to {@code ports} at {@code at}, at {@code nowNanos}. */
    void sprayed(String nonce, InetAddress at, int[] ports, long nowNanos) {
        sprayedAt = nowNanos;
        sprayedTo = at;
        Set<Integer> set = new HashSet<>();
        for (int p : ports) {
            set.add(p);
        }
        guesses.put(nonce, new Guess(at, Set.copyOf(set)));
        if (guesses.size() > GUESSES_KEPT) {
            guesses.remove(guesses.keySet().iterator().next());
        }
    }

    /** True if {@code echo} is the nonce of a spray. */
    boolean sent(String echo) {
        return guesses.containsKey(echo);
    }

    /** True if an answer echoing {@code echo} from {@code from} answers a guess sent there. */
    boolean validates(String echo, Endpoint from) {
        Guess g = guesses.get(echo);
        return g != null && from != null && g.contains(from);
    }

    /**
     * True if a path to {@code e} that answered at {@code nowNanos} was found by birthday probing: a guessed endpoint,
     * or any port of the address the last spray went to while the peer's sockets may still be open
     * ({@code socket-life}): a guess, or one of this side's requests to the peer's named candidates, reached one of
     * them.
     */
    boolean found(Endpoint e, Birthday b, long nowNanos) {
        return guessed(e) || (sprayedTo != null && sprayedTo.equals(e.address().getAddress())
                && nowNanos - sprayedAt <= b.settings().socketLife().toNanos());
    }

    /** True if {@code e} is an address a spray guessed. */
    boolean guessed(Endpoint e) {
        for (Map.Entry<String, Guess> g : guesses.entrySet()) {
            if (g.getValue().contains(e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean due(boolean once, long at, Birthday b, long nowNanos) {
        return !once || nowNanos - at >= b.settings().attemptInterval().toNanos();
    }

    /** {@code k} distinct random ports in {@value #LOWEST_PORT}..65535. */
    static int[] ports(int k, RandomGenerator random) {
        int n = Math.min(k, 65536 - LOWEST_PORT);
        Set<Integer> chosen = new HashSet<>();
        int[] out = new int[n];
        int i = 0;
        while (i < n) {
            int p = LOWEST_PORT + random.nextInt(65536 - LOWEST_PORT);
            if (chosen.add(p)) {
                out[i++] = p;
            }
        }
        return out;
    }
}
