package io.ipop.nat;

import io.ipop.underlay.Endpoint;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The STUN client half: issues Binding requests to the configured servers and learns this node's
 * server-reflexive endpoint from their answers. Sans-IO (the caller sends the bytes), thread-safe: the
 * prober asks for requests, the receive thread hands in responses.
 *
 * <p>A response is believed only if it carries the transaction id of a pending request and comes from
 * the server that request went to (RFC 8489 section 6.3.3). At most {@value #MAX_PENDING} requests are
 * pending; older ones are forgotten first.
 */
public final class StunClient {
    static final int MAX_PENDING = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What this node knows from one server. */
    public record ServerView(Endpoint server, Endpoint mapped, Instant lastAnswer, long requests, long answers) {
    }

    private record Pending(Endpoint server, long sentNanos) {
    }

    private final List<Endpoint> servers;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Endpoint, ServerView> views = new ConcurrentHashMap<>();

    public StunClient(List<Endpoint> servers) {
        this.servers = List.copyOf(servers);
        for (Endpoint s : servers) {
            views.put(s, new ServerView(s, null, null, 0, 0));
        }
    }

    public List<Endpoint> servers() {
        return servers;
    }

    /** A new Binding request for {@code server}, now pending. */
    public byte[] request(Endpoint server, long nowNanos) {
        byte[] tid = new byte[StunMessage.TRANSACTION_ID];
        RANDOM.nextBytes(tid);
        if (pending.size() >= MAX_PENDING) {
            pending.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().sentNanos()))
                    .ifPresent(oldest -> pending.remove(oldest.getKey()));
        }
        pending.put(HexFormat.of().formatHex(tid), new Pending(server, nowNanos));
        views.computeIfPresent(server, (k, v) -> new ServerView(k, v.mapped(), v.lastAnswer(), v.requests() + 1, v.answers()));
        return StunMessage.bindingRequest(tid);
    }

    /**
     * A Binding success response from {@code from}.
     *
     * @return false if it answers no pending request of ours from that server (counted by the caller)
     */
    public boolean answered(Endpoint from, StunMessage response, Instant now) {
        String key = HexFormat.of().formatHex(response.transactionId());
        Pending p = pending.get(key);
        if (p == null || !p.server().equals(from) || response.mapped() == null) {
            return false;
        }
        pending.remove(key);
        views.computeIfPresent(from, (k, v) -> new ServerView(k, response.mapped(), now, v.requests(), v.answers() + 1));
        return true;
    }

    /** When {@code server} last answered, or null. */
    public Instant lastAnswer(Endpoint server) {
        ServerView v = views.get(server);
        return v == null ? null : v.lastAnswer();
    }

    /** The server-reflexive endpoint of the most recent answer, if any server ever answered. */
    public Optional<Endpoint> reflexive() {
        return views.values().stream().filter(v -> v.lastAnswer() != null)
                .max(Comparator.comparing(ServerView::lastAnswer)).map(ServerView::mapped);
    }

    /**
     * True if this node is behind a symmetric NAT (a new port per destination: RFC 4787 address-and-port-dependent
     * mapping): two servers that answered saw it from the same address and different ports. Needs two servers.
     */
    public boolean symmetric() {
        List<Endpoint> seen = views.values().stream().filter(v -> v.lastAnswer() != null && v.mapped() != null)
                .map(ServerView::mapped).toList();
        for (int i = 0; i < seen.size(); i++) {
            for (int j = i + 1; j < seen.size(); j++) {
                Endpoint a = seen.get(i);
                Endpoint b = seen.get(j);
                if (a.address().getAddress().equals(b.address().getAddress()) && a.address().getPort() != b.address().getPort()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Each configured server in config order, with what it told this node. */
    public List<ServerView> views() {
        List<ServerView> out = new ArrayList<>();
        for (Endpoint s : servers) {
            out.add(views.get(s));
        }
        return out;
    }
}
