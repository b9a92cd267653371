package io.ipop.bench;

import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.Datagram;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.InboundFrame;
import io.ipop.dataplane.InboundPath;
import io.ipop.dataplane.OutboundPath;
import io.ipop.dataplane.Outgoing;
import io.ipop.frame.MacAddress;
import io.ipop.firewall.Firewall;
import io.ipop.firewall.FirewallRule;
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
 * The L2 switch: the MAC and receiver-index lookups in the route table alone, then the per-packet logic of both
 * paths ({@link OutboundPath#switchOut}, {@link InboundPath#classify} + {@link InboundPath#switchIn})
 * as the stream stages call it, without the graph around it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SwitchBench {
    static final int BATCH = 32;

    /** The switch's MAC lookup: which of 3 or 64 up links owns a destination MAC (a hit and a miss). */
    @Benchmark
    public Route macLookupHit(Routes s) {
        return s.table.byMac(s.knownMac);
    }

    @Benchmark
    public Route macLookupMiss(Routes s) {
        return s.table.byMac(s.unknownMac);
    }

    /** A route table of 3 or 64 up links, looked up by the receiver index of every inbound frame. */
    @State(Scope.Thread)
    public static class Routes {
        @Param({"3", "64"})
        int routes;
        RouteTable table;
        int[] indexes;
        int next;
        long knownMac;
        long unknownMac;

        @Setup
        public void setup() {
            table = RouteTable.of(Fixtures.plaintextRoutes(routes));
            knownMac = Fixtures.PEER_MAC + routes / 2;
            unknownMac = MacAddress.parse("02:99:00:00:00:01").bits();
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
     * Both paths over 3 plaintext links, with the clock the node uses ({@code System::nanoTime}), the group
     * firewall off or with 20 rules (default deny; the 20th lets the frames' UDP port 5201 in, so every frame
     * is judged by all of them, and the outbound path tracks its flows).
     * Outbound frames are full size (1414 bytes: 1400-byte IP packet); the inbound datagram is 1422 bytes.
     */
    @State(Scope.Thread)
    public static class Paths {
        @Param({"off", "20-rules"})
        String firewall;
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
            DataplaneCounters counters = new DataplaneCounters();
            long peer1Mac = Fixtures.PEER_MAC + 1;
            Firewall fw = firewall.equals("off") ? Firewall.OPEN : twentyRules();
            outbound = new OutboundPath(() -> table, () -> fw, counters, System::nanoTime);
            unicast = Fixtures.ethernetFrame(Fixtures.FRAME, peer1Mac, Fixtures.OWN_MAC.bits(), random);
            broadcast = Fixtures.ethernetFrame(Fixtures.FRAME, MacAddress.BROADCAST.bits(), Fixtures.OWN_MAC.bits(), random);

            inbound = new InboundPath(() -> table, () -> fw, Fixtures.OWN_MAC, new ControlCodec(), ControlSink.REFUSE, counters,
                    System::nanoTime, io.ipop.dataplane.StunSink.NONE);
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

    /** Default deny, 19 rules that do not match the fixture frames (TCP ports of other groups), then UDP 5201. */
    static Firewall twentyRules() {
        List<FirewallRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 19; i++) {
            rules.add(new FirewallRule(FirewallRule.Proto.TCP, 1000 + i, 1000 + i, java.util.Set.of("ops" + i), java.util.Set.of(), true));
        }
        rules.add(new FirewallRule(FirewallRule.Proto.UDP, 5201, 5201, java.util.Set.of(), java.util.Set.of(), true));
        return new Firewall(false, rules);
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

    /** A plaintext DATA datagram for this node: header check, route by index, endpoint, MAC and source checks, firewall. */
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
