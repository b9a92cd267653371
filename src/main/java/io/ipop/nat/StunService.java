package io.ipop.nat;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.Drop;
import io.ipop.dataplane.StunSink;
import io.ipop.underlay.Endpoint;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * STUN on the underlay port: answers Binding requests with the requester's address as this node sees
 * it (XOR-MAPPED-ADDRESS, RFC 8489 section 14.2), and hands Binding success responses to the
 * {@link StunClient}. Runs on the receiving thread; never blocks, never throws.
 *
 * <p>Answers are rate-limited to {@code answersPerSecond} (a token bucket with one second of burst), so
 * the node cannot be made to reflect a flood; what is over is counted ({@code stun_over_budget}). A
 * response is about 12 bytes longer than the request, so the node amplifies nothing much.
 */
public final class StunService implements StunSink {
    private final StunClient client;
    private final BiConsumer<byte[], Endpoint> send;
    private final DataplaneCounters counters;
    private final LongSupplier nanoClock;
    private final Clock clock;
    private final long answersPerSecond;
    private final AtomicLong answered = new AtomicLong();
    private long tokens;
    private long lastRefill;

    /**
     * @param send sends one datagram on the underlay socket (the port the request came in on)
     */
    public StunService(StunClient client, BiConsumer<byte[], Endpoint> send, DataplaneCounters counters,
                       long answersPerSecond, LongSupplier nanoClock, Clock clock) {
        this.client = client;
        this.send = send;
        this.counters = counters;
        this.answersPerSecond = answersPerSecond;
        this.nanoClock = nanoClock;
        this.clock = clock;
        this.tokens = answersPerSecond;
        this.lastRefill = nanoClock.getAsLong();
    }

    @Override
    public boolean offer(Endpoint from, byte[] datagram) {
        if (!StunMessage.looksLikeStun(datagram, datagram.length)) {
            return false;
        }
        StunMessage m;
        try {
            m = StunMessage.parse(datagram, datagram.length);
        } catch (StunException e) {
            counters.drop(Drop.STUN_MALFORMED);
            return true;
        }
        switch (m.type()) {
            case StunMessage.BINDING_REQUEST -> answer(from, m);
            case StunMessage.BINDING_SUCCESS -> {
                if (!client.answered(from, m, clock.instant())) {
                    counters.drop(Drop.STUN_UNEXPECTED);
                }
            }
            case StunMessage.BINDING_INDICATION -> { }  // a peer's keepalive: nothing to answer (RFC 8489 section 6.3.2)
            default -> counters.drop(Drop.STUN_UNEXPECTED);
        }
        return true;
    }

    /** Binding requests answered since start. */
    public long answered() {
        return answered.get();
    }

    public StunClient client() {
        return client;
    }

    private void answer(Endpoint from, StunMessage request) {
        if (!takeToken()) {
            counters.drop(Drop.STUN_OVER_BUDGET);
            return;
        }
        send.accept(StunMessage.bindingSuccess(request.transactionId(), from), from);
        answered.incrementAndGet();
    }

    /** One receiving thread calls this; synchronized only against a second receiver in tests. */
    private synchronized boolean takeToken() {
        long now = nanoClock.getAsLong();
        long refill = (now - lastRefill) * answersPerSecond / 1_000_000_000L;
        if (refill > 0) {
            tokens = Math.min(answersPerSecond, tokens + refill);
            lastRefill = now;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
