package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * How one {@link PeerSession} refuses link setup and hears the peer refuse it (docs/reliability.md). Every
 * refusal of a hello is counted and becomes the link's reason; the peer is told ({@code con_rej}) only
 * where an honest, misconfigured peer would be refused; the log gets at most one line per
 * {@link #LOG_INTERVAL} (a refusal costs an attacker one forged datagram), saying how many it stands for.
 * A {@code con_rej} is unauthenticated: it only changes the link's reason, and only from the link's address.
 *
 * <p>Not thread-safe: one session's state, used on its actor's thread. Methods take the session's current
 * {@link LinkContext}, which a reload replaces.
 */
final class Refusals {
    /** At most one "refusing hello" line per interval per peer; the counters have every refusal. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final PeerId peer;
    private final LinkPublisher publisher;
    private final Supplier<Logger> log;
    private final LongSupplier nanoClock;
    private final LogThrottle throttle = new LogThrottle(LOG_INTERVAL);

    /**
     * @param log       the session's logger, fetched for each line (an actor's logger sets its MDC when fetched)
     * @param nanoClock {@link System#nanoTime()} in a session
     */
    Refusals(PeerId peer, LinkPublisher publisher, Supplier<Logger> log, LongSupplier nanoClock) {
        this.peer = peer;
        this.publisher = publisher;
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /** A hello from {@code from} that {@link HelloCheck} rejected. */
    void reject(LinkContext ctx, Endpoint from, HelloCheck.Rejected r) {
        ctx.counters().drop(r.counter());
        publisher.reason(r.reason());
        long left = throttle.admit(nanoClock.getAsLong());
        if (left != LogThrottle.SUPPRESS) {
            log.get().warn("refusing hello from {} at {}: {}{}", peer, from, r.reason(),
                    left == 0 ? "" : " (" + left + " more refused since the last line, see link_setup counters)");
        }
        if (r.tellPeer()) {
            ctx.channel().send(new ConRej(ctx.self().name(), r.reason()), from);
        }
    }

    /**
     * Both sides agreed a link that must be secure ({@code decision}), but this node or the peer at
     * {@code endpoint} has no certificate: say why, to the peer and on the link.
     */
    void cannotSecure(LinkContext ctx, SecurityDecision decision, Endpoint endpoint) {
        String why = "link must be secure (" + decision.reason() + ") but "
                + (ctx.identity().isEmpty() ? "this node has no certificate" : "the peer has no certificate");
        ctx.channel().send(new ConRej(ctx.self().name(), why), endpoint);
        publisher.reason(why);
    }

    /** A {@code con_rej} from {@code from}; the link's peer is at {@code endpoint}. */
    void refusedByPeer(LinkContext ctx, ConRej rej, Endpoint from, Endpoint endpoint) {
        if (!from.equals(endpoint)) {
            ctx.counters().drop(SetupDrop.WRONG_ADDRESS);
            return;
        }
        String why = "peer refused the link: " + rej.reason();
        if (publisher.reason(why)) {
            log.get().warn("link to {}: {}", peer, why);
        }
    }
}
