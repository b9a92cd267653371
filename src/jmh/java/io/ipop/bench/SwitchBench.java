package io.ipop.bench;

import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.Datagram;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.InboundFrame;
import io.ipop.dataplane.InboundPath;
import io.ipop.dataplane.OutboundPath;
import io.ipop.dataplane.Outgoing;
import io.ipop.frame.MacAddress;
import io.ipop.route.MacTable;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.wire.ControlCodec;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The L2 switch: the MAC table and route table lookups alone, then the per-packet logic of both
 * paths ({@link OutboundPath#switchOut}, {@link InboundPath#classify} + {@link InboundPath#switchIn})
 * as the stream stages call it, without the graph around it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SwitchBench {
    private static final long TTL = TimeUnit.SECONDS.toNanos(300);
    static final int BATCH = 32;

    /** A MAC table holding 64 learned MACs (behind 3 peers), looked up with a fixed clock. */
    @State(Scope.Thread)
    public static class Macs {
        MacTable table;
        long known;
        long unknown;
        long now;

        @Setup
        public void setup() {
            table = new MacTable(TTL, 4096);
            now = System.nanoTime();
            for (int i = 0; i < 64; i++) {
                table.learn(Fixtures.PEER_MAC + 0x1_0000L * i, "p" + (i % 3), now);
            }
            known = Fixtures.PEER_MAC + 0x1_0000L * 17;
            unknown = MacAddress.parse("02:99:00:00:00:01").bits();
        }
    }

    @Benchmark
    public String macLookupHit(Macs s) {
        return s.table.lookup(s.known, s.now);
    }

    @Benchmark
    public String macLookupMiss(Macs s) {
        return s.table.lookup(s.unknown, s.now);
    }

    /** What every inbound data frame does: re-learn a MAC already known behind the same peer (no write). */
    @Benchmark
    public int macLearnSteady(Macs s) {
        s.table.learn(s.known, "p2", s.now);
        return s.table.size();
    }

    /** A route table of 3 or 64 up links, looked up by the receiver index of every inbound frame. */
    @State(Scope.Thread)
    public static class Routes {
        @Param({"3", "64"})
        int routes;
        RouteTable table;
        int[] indexes;
        int next;

        @Setup
        public void setup() {
            table = RouteTable.of(Fixtures.plaintextRoutes(routes));
            indexes = new int[routes];
            for (int i = 0; i < routes; i++) {
                indexes[i] = Fixtures.localIndex(i);
            }
        }
    }

    /** Hits, cycling over all links (so the binary search takes every path). */
    @Benchmark
    public Route routeByLocalIndex(Routes s) {
        int i = s.next;
        s.next = i + 1 == s.indexes.length ? 0 : i + 1;
        return s.table.byLocalIndex(s.indexes[i]);
    }

    /**
     * Both paths over 3 plaintext links, with the clock the node uses ({@code System::nanoTime}).
     * Outbound frames are full size (1414 bytes: 1400-byte IP packet); the inbound datagram is 1422 bytes.
     */
    @State(Scope.Thread)
    public static class Paths {
        OutboundPath outbound;
        InboundPath inbound;
        byte[] unicast;
        byte[] broadcast;
        Datagram datagram;
        /** {@value #BATCH} frames / datagrams: one stream element of the graphs (reference.conf batch-size). */
        List<byte[]> unicastBatch;
        List<Datagram> datagramBatch;

        @Setup
        public void setup() {
            Random random = new Random(2);
            RouteTable table = RouteTable.of(Fixtures.plaintextRoutes(3));
            MacTable macs = new MacTable(TTL, 4096);
            DataplaneCounters counters = new DataplaneCounters();
            long peer1Mac = Fixtures.PEER_MAC + 1;
            macs.learn(peer1Mac, "p1", System.nanoTime());
            outbound = new OutboundPath(() -> table, macs, counters, System::nanoTime);
            unicast = Fixtures.ethernetFrame(Fixtures.FRAME, peer1Mac, Fixtures.OWN_MAC.bits(), random);
            broadcast = Fixtures.ethernetFrame(Fixtures.FRAME, MacAddress.BROADCAST.bits(), Fixtures.OWN_MAC.bits(), random);

            inbound = new InboundPath(() -> table, macs, Fixtures.OWN_MAC, new ControlCodec(), ControlSink.REFUSE, counters,
                    System::nanoTime);
            byte[] frame = Fixtures.ethernetFrame(Fixtures.FRAME, Fixtures.OWN_MAC.bits(), peer1Mac, random);
            datagram = new Datagram(Fixtures.endpoint(1), Fixtures.dataDatagram(frame, Fixtures.localIndex(1)));
            unicastBatch = Collections.nCopies(BATCH, unicast);
            datagramBatch = Collections.nCopies(BATCH, datagram);
            // Fail here rather than benchmark a drop path.
            if (outbound.switchOut(unicast, unicast.length).size() != 1
                    || outbound.switchOut(broadcast, broadcast.length).size() != 3
                    || inbound.switchIn(inbound.classify(datagram).get(0)).size() != 1
                    || outbound.process(unicastBatch).size() != BATCH
                    || inbound.process(datagramBatch).size() != BATCH) {
                throw new IllegalStateException("fixture frames do not take the intended path");
            }
        }
    }

    /** Known unicast: MAC lookup, route by peer, one 1422-byte datagram built (header + copy). */
    @Benchmark
    public List<Outgoing> switchOutUnicast(Paths s) {
        return s.outbound.switchOut(s.unicast, s.unicast.length);
    }

    /** Broadcast flooded to 3 links: three datagrams built. One op = one frame from the TAP. */
    @Benchmark
    public List<Outgoing> switchOutBroadcast(Paths s) {
        return s.outbound.switchOut(s.broadcast, s.broadcast.length);
    }

    /** A plaintext DATA datagram for this node: header check, route by index, MAC learn, filter. */
    @Benchmark
    public void inboundClassifySwitchIn(Paths s, Blackhole bh) {
        List<InboundFrame> classified = s.inbound.classify(s.datagram);
        for (int i = 0; i < classified.size(); i++) {
            bh.consume(s.inbound.switchIn(classified.get(i)));
        }
    }

    /** What the outbound graph calls per stream element: a burst of 32 known-unicast frames. One op = one frame. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Outgoing> outboundProcessBatch(Paths s) {
        return s.outbound.process(s.unicastBatch);
    }

    /** What the inbound graph calls per stream element: a burst of 32 DATA datagrams. One op = one datagram. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<InboundFrame> inboundProcessBatch(Paths s) {
        return s.inbound.process(s.datagramBatch);
    }
}
