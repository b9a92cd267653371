package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.route.LinkCounters;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.route.Routes;
import io.ipop.topology.RingId;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.Forward;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Node b in a chain a - b - c: what it does with FORWARD datagrams (docs/protocol.md, "Multi-hop forwarding"). */
class ForwardingTest {
    private static final PeerId A = PeerId.of("a");
    private static final PeerId B = PeerId.of("b");
    private static final PeerId C = PeerId.of("c");
    private static final Endpoint AT_A = Endpoint.parse("192.0.2.1:5800");
    private static final Endpoint AT_C = Endpoint.parse("192.0.2.3:5800");

    private final LinkCounters toA = new LinkCounters();
    private final LinkCounters toC = new LinkCounters();
    private final List<Route> up = new ArrayList<>(List.of(
            Routes.of("a", 11, 21, AT_A, toA, null), Routes.of("c", 13, 23, AT_C, toC, null)));
    private final Sent socket = new Sent();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final OverlayPaths paths = new OverlayPaths();
    private final Forwarding b = new Forwarding(B, () -> RouteTable.of(up), paths, socket, counters);

    @Test
    void aForwardForANodeBeyondGoesToTheNextHopUnchangedButForOneHopLess() {
        byte[] inner = inner(FrameType.SECURE_DATA, 100);
        byte[] fwd = forward(C, A, 5, inner);
        byte[] original = fwd.clone();

        assertNull(b.receive(new Datagram(AT_A, fwd)));

        assertEquals(1, socket.sent.size());
        assertEquals(AT_C, socket.to.get(0));
        byte[] out = socket.sent.get(0);
        assertEquals(4, out[2]);
        out[2] = original[2];
        assertArrayEquals(original, out, "nothing but the hop count changes: a sealed datagram passes sealed");
        assertEquals(1, toC.forwarded());
        assertEquals(fwd.length, toC.forwardedBytes());
        assertEquals(0, toC.packetsOut(), "forwarded datagrams are not the link's own data");
    }

    @Test
    void aForwardIsTakenOnlyFromTheEndpointOfAnUpDirectLink() {
        byte[] fwd = forward(C, A, 5, inner(FrameType.DATA, 60));
        assertNull(b.receive(new Datagram(Endpoint.parse("203.0.113.66:5800"), fwd)));   // an off-path host
        Endpoint overlay = OverlayPaths.endpointOf(PeerId.of("d"));
        up.add(Routes.of("d", 14, 24, overlay, new LinkCounters(), null));                // a link that is itself an overlay path
        assertNull(b.receive(new Datagram(overlay, fwd)));
        assertEquals(2, counters.drops(DataDrop.FORWARD_UNLINKED));
        assertTrue(socket.sent.isEmpty(), "no open relay");
    }

    @Test
    void aForwardWithNoHopsLeftOrBackAtItsSourceIsDroppedAndCounted() {
        assertNull(b.receive(new Datagram(AT_A, forward(C, A, 0, inner(FrameType.DATA, 60)))));
        assertNull(b.receive(new Datagram(AT_A, forward(C, B, 9, inner(FrameType.DATA, 60)))));
        assertEquals(2, counters.drops(DataDrop.FORWARD_HOP_LIMIT));
        assertTrue(socket.sent.isEmpty());
    }

    @Test
    void aDeadEndIsCountedNeverSentBack() {
        PeerId far = destinationNearerToBThanToAAndC();
        assertNull(b.receive(new Datagram(AT_A, forward(far, A, 9, inner(FrameType.DATA, 60)))));
        assertEquals(1, counters.drops(DataDrop.FORWARD_NO_ROUTE));
        assertTrue(socket.sent.isEmpty());
    }

    @Test
    void aForwardForThisNodeIsItsInnerDatagramFromTheSourcesOverlayPath() {
        byte[] inner = inner(FrameType.DATA, 80);
        Datagram d = b.receive(new Datagram(AT_A, forward(B, C, 9, inner)));
        assertNotNull(d);
        assertEquals(OverlayPaths.endpointOf(C), d.from());
        assertArrayEquals(inner, d.bytes());
        assertTrue(socket.sent.isEmpty());
    }

    @Test
    void linkSetupCollectsATraceOfTheNodesInBetweenAndTheDestinationKeepsIt() {
        byte[] control = inner(FrameType.CONTROL, 40);
        assertNull(b.receive(new Datagram(AT_A, forward(C, A, 9, control))));
        Forward.View v = new Forward.View();
        byte[] out = socket.sent.get(0);
        assertTrue(v.parse(out, out.length));
        assertEquals(List.of(B), v.trace(out));
        assertArrayEquals(control, Arrays.copyOfRange(out, v.innerAt, out.length));

        // at c, from b: the trace says b carried it
        Forwarding c = new Forwarding(C, () -> RouteTable.of(List.of(Routes.of("b", 31, 41, AT_A, new LinkCounters(), null))),
                paths, socket, counters);
        paths.register(A);
        Datagram d = c.receive(new Datagram(AT_A, out));
        assertNotNull(d);
        assertEquals(List.of(B), paths.via(OverlayPaths.endpointOf(A)));
    }

    @Test
    void malformedEnvelopesAreCountedAndNeverThrow() {
        byte[] good = forward(C, A, 9, inner(FrameType.DATA, 60));
        List<byte[]> bad = new ArrayList<>();
        bad.add(Arrays.copyOf(good, 12));                                        // cut short
        byte[] nested = forward(C, A, 9, forward(C, A, 9, inner(FrameType.DATA, 60)));
        bad.add(nested);                                                         // FORWARD inside FORWARD
        byte[] zeroName = good.clone();
        zeroName[12] = 0;
        bad.add(zeroName);
        byte[] longTrace = good.clone();
        longTrace[3] = (byte) (Forward.MAX_TRACE + 1);
        bad.add(longTrace);
        bad.add(forward(C, A, 9, new byte[] {(byte) 0xA2, 1, 0}));               // inner shorter than a header
        for (byte[] x : bad) {
            assertNull(b.receive(new Datagram(AT_A, x)));
        }
        assertEquals(bad.size(), counters.drops(DataDrop.FORWARD_MALFORMED));
        Random r = new Random(20);
        for (int i = 0; i < 20_000; i++) {
            byte[] x = new byte[r.nextInt(120)];
            r.nextBytes(x);
            if (x.length > 0) {
                x[0] = (byte) 0xA5;
            }
            b.receive(new Datagram(AT_A, x));                                   // counted somewhere, never thrown
        }
        assertTrue(socket.sent.stream().allMatch(s -> new Forward.View().parse(s, s.length)), "only well-formed ones go on");
    }

    @Test
    void theSourceWrapsItsDatagramAndSendsItToTheNextHop() {
        Forwarding a = new Forwarding(A, () -> RouteTable.of(List.of(Routes.of("b", 31, 41, Endpoint.parse("192.0.2.2:5800"),
                new LinkCounters(), null))), paths, socket, counters);
        byte[] inner = inner(FrameType.DTLS, 300);
        assertTrue(a.originate(C, inner, 0, inner.length));
        byte[] out = socket.sent.get(0);
        Forward.View v = new Forward.View();
        assertTrue(v.parse(out, out.length));
        assertEquals(Forward.HOP_LIMIT, v.hops);
        assertTrue(v.destinationIs(out, "c".getBytes()));
        assertTrue(v.sourceIs(out, "a".getBytes()));
        assertEquals(RingId.of(C).bits(), v.destinationRing);
        assertArrayEquals(inner, Arrays.copyOfRange(out, v.innerAt, out.length));

        assertTrue(!a.originate(C, new byte[Forward.MAX_LENGTH], 0, Forward.MAX_LENGTH));
        assertEquals(1, counters.drops(DataDrop.FORWARD_TOO_BIG));
    }

    @Test
    void theOverlayUnderlayWrapsOnlyDatagramsForRegisteredOverlayPaths() throws IOException {
        OverlayUnderlay sockets = new OverlayUnderlay(socket, b, counters);
        byte[] inner = inner(FrameType.CONTROL, 50);
        sockets.send(inner, 0, inner.length, AT_C);
        assertArrayEquals(inner, socket.sent.get(0), "a direct endpoint: as it is");
        PeerId d = destinationNearerToBThanToAAndC();
        sockets.send(inner, 0, inner.length, OverlayPaths.endpointOf(d));
        assertEquals(1, counters.drops(DataDrop.FORWARD_UNKNOWN_PATH));
        paths.register(C);
        sockets.send(inner, 0, inner.length, OverlayPaths.endpointOf(C));
        assertEquals(2, socket.sent.size());
        assertEquals(AT_C, socket.to.get(1));
        assertEquals(FrameType.FORWARD.code(), socket.sent.get(1)[0] & 0xFF);
        assertTrue(!sockets.sendLimited(inner, 0, inner.length, OverlayPaths.endpointOf(C), 2));
    }

    @Test
    void overlayPathsLieIn0Slash8AndAreStablePerName() {
        Endpoint e = OverlayPaths.endpointOf(C);
        assertTrue(OverlayPaths.isOverlay(e));
        assertEquals(e, OverlayPaths.endpointOf(PeerId.of("c")));
        assertTrue(!OverlayPaths.isOverlay(AT_A));
        assertTrue(!OverlayPaths.isOverlay(Endpoint.parse("[2001:db8::1]:5800")));
    }

    @Test
    void aDatagramFromAnOverlayPathsAddressOffTheSocketIsRefusedNotTakenAsThePeers() {
        Endpoint overlay = OverlayPaths.endpointOf(C);
        up.clear();
        up.add(Routes.of("c", 13, 23, overlay, toC, null));              // c's link runs over the overlay
        InboundPath in = new InboundPath(() -> RouteTable.of(up), () -> io.ipop.firewall.Firewall.OPEN,
                io.ipop.frame.MacAddress.derivedFrom("b"), new io.ipop.wire.ControlCodec(), ControlSink.REFUSE, counters,
                System::nanoTime, StunSink.NONE, b);
        byte[] data = new byte[FrameHeader.LENGTH + 60];
        FrameHeader.write(data, 0, FrameType.DATA, 13);
        assertTrue(in.process(List.of(new Datagram(overlay, data))).isEmpty(), "spoofed 0.0.0.0/8 source: not c's path");
        assertEquals(1, counters.drops(DataDrop.FORWARD_UNLINKED));
        assertEquals(0, toC.packetsIn());
    }

    private PeerId destinationNearerToBThanToAAndC() {
        RingId rb = RingId.of(B);
        for (int i = 0; ; i++) {
            PeerId p = PeerId.of("far" + i);
            RingId r = RingId.of(p);
            if (r.nearer(rb, RingId.of(A)) && r.nearer(rb, RingId.of(C))) {
                return p;
            }
        }
    }

    static byte[] inner(FrameType type, int length) {
        byte[] d = new byte[length];
        new Random(length).nextBytes(d);
        FrameHeader.write(d, 0, type, 7);
        return d;
    }

    static byte[] forward(PeerId to, PeerId from, int hops, byte[] inner) {
        return Forward.wrap(Forward.prefix(to, RingId.of(to).bits(), from), hops, inner, 0, inner.length);
    }

    /** A socket that keeps what is sent. */
    static final class Sent implements Underlay {
        final List<byte[]> sent = new ArrayList<>();
        final List<Endpoint> to = new ArrayList<>();

        @Override
        public Endpoint localEndpoint() {
            return Endpoint.parse("192.0.2.2:5800");
        }

        @Override
        public Received receive(byte[] buf) {
            return null;
        }

        @Override
        public Received receiveNow(byte[] buf) {
            return null;
        }

        @Override
        public void send(byte[] buf, int offset, int length, Endpoint to) {
            sent.add(Arrays.copyOfRange(buf, offset, offset + length));
            this.to.add(to);
        }

        @Override
        public void close() {
        }
    }
}
