package io.ipop.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ipop.counters.Drop;
import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.Dataplane;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.InboundPath;
import io.ipop.dataplane.OutboundPath;
import io.ipop.dataplane.DataplaneSettings;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.SessionKeys;
import io.ipop.wire.ControlCodec;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-memory data plane: both stream graphs as {@link Dataplane#start} builds them for a node
 * (same stages, buffers from reference.conf, {@code ipop.io-dispatcher}), over one up link to peer
 * {@code p0}, between an in-memory TAP ({@link BenchTap}) and underlay ({@link BenchUnderlay}) that
 * serve preloaded frames as fast as the graph reads them and count what it writes.
 *
 * <ul>
 *   <li>{@code inbound}: 1422-byte DATA datagrams from the peer (or, on a secure link, SECURE_DATA
 *       datagrams sealed with the peer's keys) for this node's MAC, UDP receive to TAP write;</li>
 *   <li>{@code outbound}: full-size 1414-byte frames for the peer's MAC (a known unicast), TAP read to
 *       UDP send.</li>
 * </ul>
 * One invocation lets {@value #FRAMES} frames into the source and waits until the sink has seen all of
 * them, so one op is one frame through the graph, pipeline fill and drain included (at most the
 * two boundaries' buffers are in flight: a few hundred frames, a few % of an
 * invocation). The source has all of an invocation's frames waiting at once, like a saturated link,
 * so the read stages' bursts are full. The other graph sits idle meanwhile.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)       // the graphs (Pekko's interpreter, dispatcher) take longer to settle
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GraphBench {
    static final int FRAMES = 16_384;
    private static final long TIMEOUT_MILLIS = 30_000;
    private static final int RING = 256;

    @State(Scope.Benchmark)
    public static class Graph {
        @Param({"plain", "secure"})
        String link;

        final Gate inbound = new Gate();
        final Gate outbound = new Gate();
        ActorSystem<Void> system;
        DataplaneCounters counters;
        Dataplane dataplane;
        BenchTap tap;
        BenchUnderlay underlay;
        AtomicReference<RouteTable> routes;
        Route route;
        /** Secure link only: our keys, and one invocation's worth of datagrams sealed by the peer. */
        SessionKeys keys;
        byte[][] sealed;

        @Setup(Level.Trial)
        public void start() {
            Config config = ConfigFactory.load();
            system = ActorSystem.create(Behaviors.<Void>empty(), "graph-bench", config);
            Random random = new Random(9);
            boolean secure = "secure".equals(link);
            SessionKeys[] both = Fixtures.linkKeys(random);
            keys = secure ? both[0] : null;
            route = Fixtures.route(0, secure ? LinkCipher.of(keys, Fixtures.remoteIndex(0)) : null);
            routes = new AtomicReference<>(RouteTable.of(List.of(route)));

            Config dp = config.getConfig("ipop.dataplane");
            DataplaneSettings settings = new DataplaneSettings(dp.getInt("inbound-buffer"), dp.getInt("outbound-buffer"),
                    dp.getInt("batch-size"));

            byte[][] toPeer = new byte[RING][];
            byte[][] fromPeer = new byte[RING][];
            byte[][] datagrams = new byte[RING][];
            for (int i = 0; i < RING; i++) {
                toPeer[i] = Fixtures.ethernetFrame(Fixtures.FRAME, Fixtures.PEER_MAC, Fixtures.OWN_MAC.bits(), random);
                fromPeer[i] = Fixtures.ethernetFrame(Fixtures.FRAME, Fixtures.OWN_MAC.bits(), Fixtures.PEER_MAC, random);
                datagrams[i] = Fixtures.dataDatagram(fromPeer[i], route.localIndex());
            }
            if (secure) {
                // Counters 0..FRAMES-1; each invocation opens them with a fresh cipher (see Fresh).
                LinkCipher peer = LinkCipher.of(both[1], route.localIndex());
                sealed = new byte[FRAMES][];
                for (int i = 0; i < FRAMES; i++) {
                    byte[] f = fromPeer[i % RING];
                    sealed[i] = peer.seal(f, 0, f.length);
                }
                datagrams = sealed;
            }
            counters = new DataplaneCounters();
            tap = new BenchTap(Fixtures.OWN_MAC, toPeer, outbound, inbound);
            underlay = new BenchUnderlay(route.endpoint(), datagrams, inbound, outbound);
            InboundPath in = new InboundPath(routes::get, Fixtures.OWN_MAC, new ControlCodec(), ControlSink.REFUSE, counters,
                    System::nanoTime);
            OutboundPath out = new OutboundPath(routes::get, counters);
            dataplane = Dataplane.start(system, settings, tap, underlay, in, out, counters);
        }

        /** What went wrong when frames did not all come through. */
        String why() {
            StringBuilder sb = new StringBuilder("datagrams in ").append(counters.datagramsIn())
                    .append(", frames from TAP ").append(counters.framesFromTap()).append(", drops:");
            for (Drop d : Drop.all()) {
                if (counters.drops(d) > 0) {
                    sb.append(' ').append(d).append('=').append(counters.drops(d));
                }
            }
            return sb.toString();
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            tap.close();
            underlay.close();
            try {
                dataplane.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Secure link only, untimed, per invocation: the link gets a new {@link LinkCipher} (a fresh replay
     * window, as after a rekey: a new route table is published, as the control plane does) and the
     * underlay serves the same {@value #FRAMES} sealed datagrams again from the first, so every one
     * authenticates and none is a replay.
     */
    @State(Scope.Benchmark)
    public static class Fresh {
        @Setup(Level.Invocation)
        public void rekey(Graph g) {
            if (g.keys == null) {
                return;
            }
            Route r = g.route;
            g.routes.set(RouteTable.of(List.of(new Route(r.peer(), r.localIndex(), r.remoteIndex(), r.endpoint(),
                    r.counters(), LinkCipher.of(g.keys, r.remoteIndex()), r.identity(), r.flows()))));
            g.underlay.replaceRing(g.sealed);
        }
    }

    /** UDP receive, async boundary, classify (+ open), switch in, async boundary, TAP write. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long inbound(Graph g, Fresh f) throws InterruptedException {
        long t = g.inbound.release(FRAMES);
        g.inbound.await(t, TIMEOUT_MILLIS, g::why);
        return t;
    }

    /** TAP read, async boundary, switch out (+ header or seal), async boundary, UDP send. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long outbound(Graph g) throws InterruptedException {
        long t = g.outbound.release(FRAMES);
        g.outbound.await(t, TIMEOUT_MILLIS, g::why);
        return t;
    }
}
