package io.ipop.nat;

import io.ipop.counters.DataDrop;
import io.ipop.counters.DropCounters;
import io.ipop.dataplane.StunSink;
import io.ipop.peer.ControlBudget;
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
    /** The one bucket of {@link #answers}: all requesters share the rate. */
    private static final String ANSWERS = "stun-answers";

    private final StunClient client;
    private final BiConsumer<byte[], Endpoint> send;
    private final DropCounters counters;
    private final LongSupplier nanoClock;
    private final Clock clock;
    private final ControlBudget answers;
    private final AtomicLong answered = new AtomicLong();

    /**
     * @param send sends one datagram on the underlay socket (the port the request came in on)
     */
    public StunService(StunClient client, BiConsumer<byte[], Endpoint> send, DropCounters counters,
                       int answersPerSecond, LongSupplier nanoClock, Clock clock) {
        this.client = client;
        this.send = send;
        this.counters = counters;
        this.answers = new ControlBudget(answersPerSecond, answersPerSecond);
        this.nanoClock = nanoClock;
        this.clock = clock;
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
            counters.drop(DataDrop.STUN_MALFORMED);
            return true;
        }
        switch (m.type()) {
            case StunMessage.BINDING_REQUEST -> answer(from, m);
            case StunMessage.BINDING_SUCCESS -> {
                if (!client.answered(from, m, clock.instant())) {
                    counters.drop(DataDrop.STUN_UNEXPECTED);
                }
            }
            case StunMessage.BINDING_INDICATION -> { }  // a peer's keepalive: nothing to answer (RFC 8489 section 6.3.2)
            default -> counters.drop(DataDrop.STUN_UNEXPECTED);
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
        if (!answers.take(ANSWERS, true, nanoClock.getAsLong())) {
            counters.drop(DataDrop.STUN_OVER_BUDGET);
            return;
        }
        send.accept(StunMessage.bindingSuccess(request.transactionId(), from), from);
        answered.incrementAndGet();
    }
}
