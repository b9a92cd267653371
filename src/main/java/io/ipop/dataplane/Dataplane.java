package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.tap.TapDevice;
import io.ipop.underlay.Underlay;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
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
 * outbound: TAP read    -> fair queue -> switch out (+ frame) -> [outbound-buffer] | async | -> UDP send
 * </pre>
 *
 * Stream elements are bursts: a read stage blocks for one frame or datagram, then takes what is
 * already waiting, up to {@code dataplane.batch-size}, so a busy link pays one thread hand-off per
 * burst, not per packet, while a lone packet still goes through at once.
 *
 * Each graph is two islands, each on its own pinned thread of {@code ipop.io-dispatcher}, so the
 * blocking TAP and UDP calls never hold a thread of the actors' dispatcher: the reading thread reads
 * and processes (classify, open or seal, switch), the writing thread writes; one thread hand-off per
 * burst. The buffer is the writing island's input buffer ({@link #run}). The buffers backpressure: a slow TAP write stops the
 * UDP receive (the kernel socket buffer then absorbs or drops, counted by the kernel as UDP
 * receive errors); a slow send stops the TAP read, unless the outbound fair queue is on
 * ({@code dataplane.fair-queue-bytes}, the default): then the TAP read goes on into it, and a full queue
 * drops from the destination with the longest backlog ({@link FairQueue}). Both graphs end when the TAP and
 * the socket close.
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
        int batch = settings.batchSize();
        CompletionStage<Done> in = run(system, udpReads(underlay, counters, batch), null, inbound::process,
                frames -> writeToTap(tap, frames, counters), counters::inboundEntered, settings.inboundBatches());
        Function<InFlight, FairStage> fair = settings.fairQueueBytes() == 0 ? null
                : inFlight -> new FairStage(settings.fairQueueBytes(), batch, inFlight, counters::fairQueueDropped);
        CompletionStage<Done> out = run(system, tapReads(tap, counters, batch), fair, outbound::process,
                datagrams -> sendToUdp(underlay, datagrams, counters), counters::outboundEntered, settings.outboundBatches());
        in.whenComplete((d, e) -> logEnd("inbound", e));
        out.whenComplete((d, e) -> logEnd("outbound", e));
        return new Dataplane(in, out);
    }

    /**
     * Runs one graph, three islands on pinned threads of {@link #IO_DISPATCHER}:
     * <pre>
     * read burst | async [batches] | (queue) process (classify, open or seal, switch) | async [batches] | write
     * </pre>
     * Each boundary holds at most {@code batches} bursts; the read stage is pulled only while the one
     * after it has room, so a stuck write stops the reads (backpressure) and the reading thread never
     * blocks in a read while bursts wait for room.
     *
     * <p>Run to completion when idle: a burst the read had to wait for, read while no burst is in
     * flight ({@link InFlight#claimIdle}), is processed and written by the reading thread itself, with
     * no thread hand-off: a lone packet (a ping, a request) crosses the node on one thread. A path under
     * load finds packets waiting, or bursts in flight, and goes through the boundaries, so reading
     * never waits on a write there. Order is kept: a direct write happens only with nothing queued.
     *
     * @param queue   null, or the stage at the head of the processing island (given the graph's {@link InFlight}),
     *                which takes every burst read and hands on its own (the outbound {@link FairStage})
     * @param entered called with the packet count of each processed, non-empty burst before it is written
     */
    static <T, U> CompletionStage<Done> run(ActorSystem<?> system, Supplier<BlockingSource.Read<ReadBurst<T>>> reads,
                                            Function<InFlight, ? extends Graph<FlowShape<List<T>, List<T>>, NotUsed>> queue,
                                            Function<List<T>, List<U>> process, Consumer<List<U>> write,
                                            IntConsumer entered, int batches) {
        InFlight inFlight = new InFlight();
        Source<List<T>, ?> queued = BlockingSource.of(() -> {
            BlockingSource.Read<ReadBurst<T>> read = reads.get();
            return () -> {
                while (true) {
                    Optional<ReadBurst<T>> next = read.next();
                    if (next.isEmpty()) {
                        return Optional.empty();
                    }
                    ReadBurst<T> burst = next.get();
                    if (!burst.waited() || !inFlight.claimIdle()) {
                        inFlight.entered();
                        return Optional.of(burst.packets());
                    }
                    try {
                        List<U> out = process.apply(burst.packets());
                        if (!out.isEmpty()) {
                            entered.accept(out.size());
                            write.accept(out);
                        }
                    } finally {
                        inFlight.left();
                    }
                }
            };
        });
        Sink<List<U>, CompletionStage<Done>> writer = Sink.<List<U>>foreach(out -> {
            try {
                write.accept(out);
            } finally {
                inFlight.left();
            }
        });
        Source<List<T>, ?> processing = queued.async(IO_DISPATCHER);
        if (queue != null) {
            processing = processing.via(queue.apply(inFlight));
        }
        return processing
                .map(process::apply)
                .filter(out -> {
                    if (out.isEmpty()) {
                        inFlight.left();
                        return false;
                    }
                    entered.accept(out.size());
                    return true;
                })
                .addAttributes(Attributes.inputBuffer(batches, batches))
                .async(IO_DISPATCHER)
                .toMat(writer.addAttributes(Attributes.inputBuffer(batches, batches)).async(IO_DISPATCHER), Keep.right())
                .run(system);
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

    /**
     * Bursts of datagrams from the socket: the first (waiting for it if none is there), then what is
     * already waiting, up to {@code batch}. Each datagram is copied into an array of its exact size.
     * Ends when the socket closes. (A datagram that had to be waited for still ends its burst with one read
     * that finds nothing: sending it on alone without that read cost throughput, issue 19 item 4.)
     */
    static Supplier<BlockingSource.Read<ReadBurst<Datagram>>> udpReads(Underlay underlay, DataplaneCounters counters,
                                                                         int batch) {
        return () -> {
            byte[] buf = new byte[MAX_DATAGRAM];
            return () -> {
                while (true) {
                    try {
                        Underlay.Received first = underlay.receiveNow(buf);
                        boolean waited = first == null;
                        if (waited && (first = underlay.receive(buf)) == null) {
                            return Optional.empty();
                        }
                        List<Datagram> burst = new ArrayList<>(batch);
                        addDatagrams(burst, first, buf);
                        Underlay.Received next;
                        while (burst.size() < batch && (next = underlay.receiveNow(buf)) != null) {
                            addDatagrams(burst, next, buf);
                        }
                        counters.datagramsIn(burst.size());   // as read: whatever happens to them later is counted there
                        return Optional.of(new ReadBurst<>(burst, waited));
                    } catch (IOException e) {
                        counters.drop(DataDrop.RECEIVE_ERROR);
                    }
                }
            };
        };
    }

    /** The datagrams of one receive (several of one sender with receive offload), each in an array of its exact size. */
    private static void addDatagrams(List<Datagram> burst, Underlay.Received r, byte[] buf) {
        if (r.length() == 0) {
            burst.add(new Datagram(r.from(), new byte[0]));      // empty: classify counts it as truncated
            return;
        }
        for (int at = 0; at < r.length(); at += r.segment()) {
            burst.add(new Datagram(r.from(), Arrays.copyOfRange(buf, at, Math.min(r.length(), at + r.segment()))));
        }
    }

    /** Bursts of frames from the TAP, like {@link #udpReads}; ends when the TAP closes. */
    static Supplier<BlockingSource.Read<ReadBurst<byte[]>>> tapReads(TapDevice tap, DataplaneCounters counters,
                                                                       int batch) {
        return () -> {
            byte[] buf = new byte[MAX_DATAGRAM];
            return () -> {
                while (true) {
                    try {
                        byte[] f = tap.takeNow(buf);
                        boolean waited = f == null;
                        while (f == null) {
                            f = tap.take(buf);                  // null: poll interval passed, nothing yet
                        }
                        if (f == TapDevice.CLOSED) {
                            return Optional.empty();
                        }
                        List<byte[]> burst = new ArrayList<>(batch);
                        burst.add(f);
                        while (burst.size() < batch && (f = tap.takeNow(buf)) != null && f != TapDevice.CLOSED) {
                            burst.add(f);
                        }
                        return Optional.of(new ReadBurst<>(burst, waited));
                    } catch (IOException e) {
                        counters.drop(DataDrop.TAP_READ_ERROR);
                        log.warn("TAP read failed: {}", e.getMessage());
                    }
                }
            };
        };
    }

    private static void writeToTap(TapDevice tap, List<InboundFrame> frames, DataplaneCounters counters) {
        counters.inboundLeft(frames.size());
        TapDevice.Burst burst = tap.write(frames);
        counters.toTap(frames.size(), burst.writes());
        for (int failed = burst.failed(); failed > 0; failed--) {
            counters.drop(DataDrop.TAP_WRITE_ERROR);
        }
    }

    /** Runs of one super-frame's segments go out in one call where the underlay can (UDP segmentation offload). */
    private static void sendToUdp(Underlay underlay, List<Outgoing> datagrams, DataplaneCounters counters) {
        counters.outboundLeft(datagrams.size());
        List<byte[]> bytes = new ArrayList<>(datagrams.size());
        for (Outgoing o : datagrams) {
            bytes.add(o.datagram());
        }
        for (int from = 0; from < datagrams.size(); ) {
            int end = Outgoing.runEnd(datagrams, from);
            int sent = from + underlay.sendSegments(bytes, from, end, datagrams.get(from).route().endpoint());
            for (int i = from; i < end; i++) {
                Outgoing o = datagrams.get(i);
                if (i < sent) {
                    o.route().counters().sent(o.frameLength());
                } else {
                    counters.drop(DataDrop.UDP_SEND_ERROR);
                    o.route().counters().dropped(DataDrop.UDP_SEND_ERROR.ordinal());
                }
            }
            from = end;
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
