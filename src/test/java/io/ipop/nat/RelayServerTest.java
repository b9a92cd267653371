package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RelayServer} on loopback with real UDP sockets as the two ends. */
class RelayServerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final RelayServer relay;
    private final DatagramSocket a;
    private final DatagramSocket b;

    RelayServerTest() throws Exception {
        relay = new RelayServer(LOOPBACK, 2);
        a = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        b = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        a.setSoTimeout(2000);
        b.setSoTimeout(2000);
    }

    @AfterEach
    void close() {
        relay.close();
        a.close();
        b.close();
    }

    @Test
    void datagramsPassUnchangedBothWaysOnceBothEndsLatched() throws Exception {
        int[] ports = relay.allocate(PeerId.of("a"), LOOPBACK, PeerId.of("b"), LOOPBACK);
        int[] again = relay.allocate(PeerId.of("b"), LOOPBACK, PeerId.of("a"), LOOPBACK);
        assertArrayEquals(new int[] {ports[1], ports[0]}, again, "one pair, whoever asks");

        byte[] sealed = frame(FrameType.SECURE_DATA, 100);
        send(a, sealed, ports[0]);                      // a latches; b has not latched yet: dropped
        awaitLatchedA();                                // each port has its own thread: let a's go first
        send(b, frame(FrameType.CONTROL, 20), ports[1]); // b latches; a's side is latched: forwarded to a
        DatagramPacket atA = receive(a);
        assertEquals(ports[0], atA.getPort(), "a hears b from a's relay port");
        send(a, sealed, ports[0]);
        DatagramPacket atB = receive(b);
        assertArrayEquals(sealed, Arrays.copyOf(atB.getData(), atB.getLength()), "byte for byte");
        assertEquals(ports[1], atB.getPort());

        Map<String, Long> counts = relay.views().get(0).datagrams();
        assertEquals(1, counts.get("secure_data"));
        assertEquals(1, counts.get("control"));
        assertEquals(1, counts.get("unlatched"));
        assertEquals(0, counts.get("data"));
    }

    @Test
    void datagramsFromAnotherAddressAreRefused() throws Exception {
        int[] ports = relay.allocate(PeerId.of("a"), InetAddress.getByName("198.51.100.2"), PeerId.of("b"), LOOPBACK);
        send(b, frame(FrameType.CONTROL, 20), ports[1]);
        send(a, frame(FrameType.DATA, 60), ports[0]);   // a's IP is not loopback in the allocation
        Thread.sleep(300);
        assertEquals(1, relay.views().get(0).datagrams().get("refused"));
        assertNull(relay.views().get(0).latchedA());
    }

    @Test
    void atMostMaxPairs() throws Exception {
        relay.allocate(PeerId.of("a"), LOOPBACK, PeerId.of("b"), LOOPBACK);
        relay.allocate(PeerId.of("a"), LOOPBACK, PeerId.of("c"), LOOPBACK);
        assertEquals(0, relay.allocate(PeerId.of("b"), LOOPBACK, PeerId.of("c"), LOOPBACK).length);
        assertEquals(2, relay.views().size());
        assertEquals(1, relay.refusals().get("full"));
    }

    /** The attack: another host behind a's NAT (same IP, another port) tries to take a's relayed path over. */
    @Test
    void aLatchedEndIsNotTakenOverByAnotherPortOfTheSameAddress() throws Exception {
        int[] ports = relay.allocate(PeerId.of("a"), LOOPBACK, PeerId.of("b"), LOOPBACK);
        try (DatagramSocket x = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            x.setSoTimeout(300);
            send(a, frame(FrameType.CONTROL, 20), ports[0]);
            awaitLatchedA();
            send(b, frame(FrameType.CONTROL, 20), ports[1]);
            receive(a);
            send(x, frame(FrameType.DATA, 60), ports[0]);   // x: a's IP, its own port
            Thread.sleep(300);
            assertEquals(LOOPBACK.getHostAddress() + ":" + a.getLocalPort(), relay.views().get(0).latchedA());
            assertEquals(1, relay.views().get(0).datagrams().get("refused"));
            send(b, frame(FrameType.DATA, 60), ports[1]);
            receive(a);                                     // b's traffic still reaches a, not x
            DatagramPacket none = new DatagramPacket(new byte[2048], 2048);
            org.junit.jupiter.api.Assertions.assertThrows(SocketTimeoutException.class, () -> x.receive(none));
        }
    }

    @Test
    void oneRequesterGetsAtMostItsShareOfPairs() throws Exception {
        try (RelayServer big = new RelayServer(LOOPBACK, 100)) {
            for (int i = 0; i < RelayServer.MAX_PER_REQUESTER; i++) {
                assertEquals(2, big.allocate(PeerId.of("x"), LOOPBACK, PeerId.of("p" + i), LOOPBACK).length);
            }
            assertEquals(0, big.allocate(PeerId.of("x"), LOOPBACK, PeerId.of("one-more"), LOOPBACK).length);
            assertEquals(1, big.refusals().get("per_requester"));
            assertEquals(2, big.allocate(PeerId.of("x"), LOOPBACK, PeerId.of("p0"), LOOPBACK).length, "an existing pair is still answered");
            assertEquals(2, big.allocate(PeerId.of("y"), LOOPBACK, PeerId.of("one-more"), LOOPBACK).length, "others are not held back");
        }
    }

    private void awaitLatchedA() throws InterruptedException {
        for (int i = 0; i < 200 && relay.views().get(0).latchedA() == null; i++) {
            Thread.sleep(10);
        }
        assertNotNull(relay.views().get(0).latchedA(), "a's first datagram did not latch its end within 2 s");
    }

    private static byte[] frame(FrameType type, int length) {
        byte[] f = new byte[length];
        Arrays.fill(f, (byte) 0x5A);
        FrameHeader.write(f, 0, type, 7);
        return f;
    }

    private static void send(DatagramSocket s, byte[] b, int port) throws Exception {
        s.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, port)));
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing relayed within 2 s");
        }
        return p;
    }
}
