package io.ipop.underlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Birthday probing's extra sockets on loopback (docs/nat.md, "Birthday probing"): a pool sends its openers toward
 * the peer, takes datagrams only from the peer (anything else is dropped and counted), the first one from the peer
 * makes its socket the one that carries that peer both ways (the rest close at once), a second pool waits for the
 * first to end, and idle sockets close.
 */
class BirthdaySocketsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final BirthdaySettings SMALL = new BirthdaySettings(true, 8, 8, 1000, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    @Test
    void theFirstDatagramFromThePeerPicksTheSocketThatCarriesItBothWays() throws Exception {
        UdpUnderlay u = UdpUnderlay.bind(new InetSocketAddress(LOOPBACK, 0), 1 << 20, false);
        try (DatagramSocket peer = new DatagramSocket(0, LOOPBACK); DatagramSocket stranger = new DatagramSocket(0, LOOPBACK)) {
            peer.setSoTimeout(2000);
            u.enableBirthday(SMALL);
            Endpoint peerAt = Endpoint.of(LOOPBACK, peer.getLocalPort());
            assertTrue(u.openBirthday(peerAt, bytes("opener"), new int[] {2, 3}));
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                DatagramPacket p = receive(peer);
                assertEquals("opener", text(p));
                ports.add(p.getPort());
            }
            Set<Integer> pool = new LinkedHashSet<>(ports);
            assertEquals(8, pool.size(), "one socket each, two openers each: " + ports);
            assertFalse(u.openBirthday(Endpoint.of(LOOPBACK, 9), bytes("x"), new int[] {2}), "one pool at a time");
            assertEquals(1, u.birthdayCounts().orElseThrow().refused());

            int[] slots = pool.stream().mapToInt(Integer::intValue).toArray();
            stranger.send(packet("spoofed", slots[0]));               // not from the peer: never let in
            assertNull(receiveFor(u, Duration.ofMillis(300)), "a stranger's datagram does not get in");
            assertEquals(1, u.birthdayCounts().orElseThrow().stray());

            peer.send(packet("guess", slots[1]));                     // the peer's guess hits one socket
            byte[] buf = new byte[2048];
            Underlay.Received r = receiveFor(u, Duration.ofSeconds(2), buf);
            assertEquals(peerAt, r.from(), "it enters as if it came on the underlay socket");
            assertEquals("guess", new String(buf, 0, r.length(), StandardCharsets.US_ASCII));
            BirthdaySockets.Counts c = u.birthdayCounts().orElseThrow();
            assertEquals(1, c.hits());
            assertEquals(7, c.socketsClosed(), "the others closed at once");
            assertEquals(1, c.openSockets());
            assertTrue(u.viaBirthday(peerAt));

            u.send(bytes("data"), 0, 4, peerAt);                      // to the peer: through the winner
            DatagramPacket back = receive(peer);
            assertEquals("data", text(back));
            assertEquals(slots[1], back.getPort(), "from the socket the guess reached");
            List<byte[]> run = List.of(bytes("seg1"), bytes("seg2"));
            assertEquals(2, u.sendSegments(run, 0, 2, peerAt));
            assertEquals(slots[1], receive(peer).getPort());
            assertEquals(slots[1], receive(peer).getPort());

            Endpoint other = Endpoint.of(LOOPBACK, stranger.getLocalPort());
            u.send(bytes("else"), 0, 4, other);                       // anyone else: the underlay socket as before
            stranger.setSoTimeout(2000);
            DatagramPacket elsewhere = new DatagramPacket(new byte[64], 64);
            stranger.receive(elsewhere);
            assertEquals(u.localEndpoint().address().getPort(), elsewhere.getPort());

            u.releaseBirthday(peerAt);                                // the link closed or moved
            assertFalse(u.viaBirthday(peerAt));
            assertEquals(8, u.birthdayCounts().orElseThrow().socketsClosed(), "the winner closed too");
            u.send(bytes("after"), 0, 5, peerAt);
            assertEquals(u.localEndpoint().address().getPort(), receive(peer).getPort(), "back on the underlay socket");
        } finally {
            u.close();
        }
    }

    @Test
    void aReceiverWaitingOnTheUnderlaySocketTakesTheGuessOfAPoolOpenedMeanwhile() throws Exception {
        UdpUnderlay u = UdpUnderlay.bind(new InetSocketAddress(LOOPBACK, 0), 1 << 20, true);
        try (DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
            peer.setSoTimeout(2000);
            u.enableBirthday(SMALL);
            byte[] buf = new byte[2048];
            CompletableFuture<Underlay.Received> waiting = UdpUnderlayTest.receiveInBackground(u, buf);
            Thread.sleep(200);                                        // waiting before the pool exists
            Endpoint peerAt = Endpoint.of(LOOPBACK, peer.getLocalPort());
            assertTrue(u.openBirthday(peerAt, bytes("opener"), new int[] {2}));
            DatagramPacket opener = receive(peer);
            peer.send(packet("guess", opener.getPort()));             // arrives on an extra socket, not the underlay's
            Underlay.Received r = waiting.get(1, TimeUnit.SECONDS);   // without a wake-up: after the 5 s wait's timeout
            assertEquals(peerAt, r.from());
            assertEquals("guess", new String(buf, 0, r.length(), StandardCharsets.US_ASCII));
            assertEquals(1, u.birthdayCounts().orElseThrow().hits());
        } finally {
            u.close();
        }
    }

    @Test
    void aPoolWithoutAHitAndAnIdleWinnerClose() throws Exception {
        BirthdaySettings quick = new BirthdaySettings(true, 4, 4, 1000, Duration.ofMillis(50), Duration.ofSeconds(30),
                Duration.ofMillis(50));
        try (Selector selector = Selector.open(); DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
            BirthdaySockets b = new BirthdaySockets(LOOPBACK, selector, quick);
            assertFalse(b.ticking(), "no expiry tick while nothing is open: an idle node does not wake for it");
            Endpoint peerAt = Endpoint.of(LOOPBACK, peer.getLocalPort());
            assertTrue(b.open(peerAt, bytes("o"), new int[] {2}));
            assertTrue(b.ticking());
            Thread.sleep(100);
            b.expire();
            assertFalse(b.ticking(), "the tick stops with the last open socket");
            BirthdaySockets.Counts c = b.counts();
            assertEquals(1, c.expired());
            assertEquals(4, c.socketsClosed());
            assertEquals(0, c.openSockets());
            assertFalse(b.active());
            assertTrue(b.open(peerAt, bytes("o"), new int[] {2}), "the next attempt may open a pool again");
            b.close();
            drain(peer);

            b = new BirthdaySockets(LOOPBACK, selector, new BirthdaySettings(true, 4, 4, 1000, Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofMillis(50)));
            assertTrue(b.open(peerAt, bytes("o"), new int[] {2}));
            peer.setSoTimeout(2000);
            DatagramPacket first = receive(peer);
            peer.send(new DatagramPacket(bytes("g"), 1, new InetSocketAddress(LOOPBACK, first.getPort())));
            byte[] buf = new byte[64];
            long deadline = System.nanoTime() + 2_000_000_000L;
            Underlay.Received r = null;
            while (r == null && System.nanoTime() < deadline) {
                r = b.poll(buf);
            }
            assertEquals(peerAt, r.from());
            assertTrue(b.carries(peerAt));
            Thread.sleep(100);
            assertTrue(b.ticking(), "a winner keeps the tick");
            b.expire();                                             // nothing heard since: the link closed or moved
            assertFalse(b.carries(peerAt));
            assertFalse(b.ticking());
            assertEquals(4, b.counts().socketsClosed(), "the three losers at the hit, the winner now");
            b.close();
        }
    }

    @Test
    void guessesGoOutAtTheConfiguredRate() throws Exception {
        try (Selector selector = Selector.open()) {
            BirthdaySettings slow = new BirthdaySettings(true, 4, 100, 1000, Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Duration.ofSeconds(60));
            BirthdaySockets b = new BirthdaySockets(LOOPBACK, selector, slow);
            List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
            int[] ports = new int[100];
            for (int i = 0; i < ports.length; i++) {
                ports[i] = 20000 + i;
            }
            long start = System.nanoTime();
            assertTrue(b.spray((buf, off, len, to) -> at.add(System.nanoTime()), bytes("g"), LOOPBACK, ports));
            long deadline = start + 3_000_000_000L;
            while (at.size() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(100, at.size());
            double seconds = (at.get(99) - start) / 1e9;
            assertTrue(seconds >= 0.08, "100 guesses at 1000/s take about 0.1 s, not one burst: " + seconds);
            assertEquals(100, b.counts().guessesSent());
            b.close();
        }
    }

    private static Underlay.Received receiveFor(UdpUnderlay u, Duration limit) throws IOException {
        return receiveFor(u, limit, new byte[2048]);
    }

    private static Underlay.Received receiveFor(UdpUnderlay u, Duration limit, byte[] buf) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Underlay.Received r = u.receiveNow(buf);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static void drain(DatagramSocket s) throws IOException {
        s.setSoTimeout(100);
        try {
            while (true) {
                receive(s);
            }
        } catch (java.net.SocketTimeoutException e) {
            // nothing more waiting
        }
    }

    private static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    private static DatagramPacket packet(String text, int port) {
        byte[] b = bytes(text);
        return new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, port));
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
