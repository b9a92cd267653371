package io.ipop.dataplane;

import io.ipop.node.DataplaneSettings;
import io.ipop.tap.TapDevice;
import io.ipop.underlay.Underlay;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs the two stream graphs of the data plane. Packets never pass through an actor.
 *
 * <pre>
 * inbound : UDP receive -> classify -> switch in  -> [inbound-buffer]  | async | -> TAP write
 * outbound: TAP read    -> switch out (+ frame)   -> [outbound-buffer] | async | -> UDP send
 * </pre>
 *
 * Each side of an async boundary runs on {@code ipop.io-dispatcher}, so the blocking TAP and UDP calls
 * never hold a thread of the actors' dispatcher. The buffers backpressure: a slow TAP write stops the
 * UDP receive (the kernel socket buffer then absorbs or drops, counted by the kernel as UDP
 * receive errors); a slow send stops the TAP read. Both graphs end when the TAP and the socket close.
 */
public final class Dataplane {
    /** Dispatcher of the blocking I/O stages, defined in reference.conf. */
    public static final String IO_DISPATCHER = "ipop.io-dispatcher";
    private static final Logger log = LoggerFactory.getLogger(Dataplane.class);
    private static final int MAX_DATAGRAM = 65_536;

    private final CompletionStage<Done> inboundDone;
    private final CompletionStage<Done> outboundDone;

    private Dataplane(CompletionStage<Done> inboundDone, CompletionStage<Done> outboundDone) {
        this.inboundDone = inboundDone;
        this.outboundDone = outboundDone;
    }

    /** Materializes both graphs; they run until {@code tap} and {@code underlay} are closed. */
    public static Dataplane start(ActorSystem<?> system, DataplaneSettings settings, TapDevice tap, Underlay underlay,
                                  InboundPath inbound, OutboundPath outbound, DataplaneCounters counters) {
        CompletionStage<Done> in = udpSource(underlay, counters)
                .mapConcat(inbound::classify)
                .mapConcat(inbound::switchIn)
                .map(f -> {
                    counters.inboundEntered();
                    return f;
                })
                .buffer(settings.inboundBuffer(), OverflowStrategy.backpressure())
                .async(IO_DISPATCHER)
                .toMat(Sink.<InboundFrame>foreach(f -> writeToTap(tap, f, counters)).async(IO_DISPATCHER), Keep.right())
                .run(system);
        CompletionStage<Done> out = tapSource(tap, counters)
                .mapConcat(frame -> outbound.switchOut(frame, frame.length))
                .map(o -> {
                    counters.outboundEntered();
                    return o;
                })
                .buffer(settings.outboundBuffer(), OverflowStrategy.backpressure())
                .async(IO_DISPATCHER)
                .toMat(Sink.<Outgoing>foreach(o -> sendToUdp(underlay, o, counters)).async(IO_DISPATCHER), Keep.right())
                .run(system);
        in.whenComplete((d, e) -> logEnd("inbound", e));
        out.whenComplete((d, e) -> logEnd("outbound", e));
        return new Dataplane(in, out);
    }

    /** Completes when both graphs have ended; fails if either failed. */
    public CompletionStage<Done> done() {
        return CompletableFuture.allOf(inboundDone.toCompletableFuture(), outboundDone.toCompletableFuture())
                .thenApply(v -> Done.getInstance());
    }

    public CompletionStage<Done> inboundDone() {
        return inboundDone;
    }

    public CompletionStage<Done> outboundDone() {
        return outboundDone;
    }

    /** Datagrams from the socket, each copied into an array of its exact size; ends when the socket closes. */
    private static Source<Datagram, ?> udpSource(Underlay underlay, DataplaneCounters counters) {
        return Source.unfoldResource(
                () -> new byte[MAX_DATAGRAM],
                buf -> {
                    while (true) {
                        try {
                            Underlay.Received r = underlay.receive(buf);
                            return r == null ? Optional.empty() : Optional.of(new Datagram(r.from(), Arrays.copyOf(buf, r.length())));
                        } catch (IOException e) {
                            counters.drop(Drop.RECEIVE_ERROR);
                        }
                    }
                },
                buf -> { });
    }

    /** Frames read from the TAP, each in an array of its exact size; ends when the TAP closes. */
    private static Source<byte[], ?> tapSource(TapDevice tap, DataplaneCounters counters) {
        return Source.unfoldResource(
                () -> new byte[MAX_DATAGRAM],
                buf -> {
                    while (true) {
                        try {
                            int n = tap.read(buf);
                            if (n < 0) {
                                return Optional.empty();
                            }
                            if (n > 0) {
                                return Optional.of(Arrays.copyOf(buf, n));
                            }
                        } catch (IOException e) {
                            counters.drop(Drop.TAP_READ_ERROR);
                            log.warn("TAP read failed: {}", e.getMessage());
                        }
                    }
                },
                buf -> { });
    }

    private static void writeToTap(TapDevice tap, InboundFrame f, DataplaneCounters counters) {
        counters.inboundLeft();
        try {
            tap.write(f.buf(), f.offset(), f.length());
        } catch (IOException e) {
            counters.drop(Drop.TAP_WRITE_ERROR);
        }
    }

    private static void sendToUdp(Underlay underlay, Outgoing o, DataplaneCounters counters) {
        counters.outboundLeft();
        byte[] b = o.datagram();
        try {
            underlay.send(b, 0, b.length, o.route().endpoint());
            o.route().counters().sent(o.frameLength());
        } catch (IOException e) {
            counters.drop(Drop.UDP_SEND_ERROR);
            o.route().counters().dropped();
        }
    }

    private static void logEnd(String graph, Throwable failure) {
        if (failure != null) {
            log.error("{} data path failed", graph, failure);
        } else {
            log.debug("{} data path stopped", graph);
        }
    }
}
