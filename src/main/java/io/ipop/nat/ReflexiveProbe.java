package io.ipop.nat;

import io.ipop.underlay.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Asks every configured STUN server for this node's server-reflexive endpoint, once at start and then
 * every {@code interval} (which also keeps the NAT mapping toward the server alive). Within a round a
 * request that is not answered is sent again after 0.5, 1, 2 and 4 s (RFC 8489 section 6.2.1, with
 * fewer tries: the next round comes anyway).
 */
public final class ReflexiveProbe {

    /** Messages of the prober; all internal timer ticks. */
    public sealed interface Command {
    }

    private record Round(Endpoint server) implements Command {
    }

    private record Retry(Endpoint server, int attempt, Instant roundStart) implements Command {
    }

    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final int TRIES = 5;

    private ReflexiveProbe() {
    }

    /**
     * @param send sends one datagram on the underlay socket
     */
    public static Behavior<Command> create(StunClient client, Duration interval, BiConsumer<byte[], Endpoint> send) {
        return Behaviors.withTimers(timers -> {
            for (Endpoint server : client.servers()) {
                timers.startTimerWithFixedDelay("round-" + server, new Round(server), Duration.ZERO, interval);
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Round.class, r -> send(timers, client, send, new Retry(r.server(), 0, Instant.now())))
                    .onMessage(Retry.class, r -> answeredSince(client, r) ? Behaviors.same() : send(timers, client, send, r))
                    .build();
        });
    }

    private static boolean answeredSince(StunClient client, Retry r) {
        Instant last = client.lastAnswer(r.server());
        return last != null && !last.isBefore(r.roundStart());
    }

    private static Behavior<Command> send(TimerScheduler<Command> timers, StunClient client,
                                          BiConsumer<byte[], Endpoint> send, Retry r) {
        send.accept(client.request(r.server(), System.nanoTime()), r.server());
        if (r.attempt() + 1 < TRIES) {
            timers.startSingleTimer("retry-" + r.server(), new Retry(r.server(), r.attempt() + 1, r.roundStart()),
                    FIRST_RETRY.multipliedBy(1L << r.attempt()));
        }
        return Behaviors.same();
    }
}
