package io.ipop.underlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real socket on loopback: segmented sends arrive as the datagrams they were, in order, whether the
 * receiver takes them one by one or coalesced (UDP_GRO) and cut apart again; a blocking receive waits
 * until a datagram or the close, and no longer.
 */
class UdpUnderlayTest {
    private static final int BUFFER = 4 << 20;

    @ParameterizedTest(name = "{0}, offloads: sender {1}, receiver {2}")
    @CsvSource({"127.0.0.1, true, true", "127.0.0.1, true, false", "127.0.0.1, false, true", "127.0.0.1, false, false",
            "::1, true, true"})
    void segmentedRunsArriveAsTheDatagramsTheyWere(String host, boolean segmentation, boolean coalescing) throws Exception {
        InetAddress loopback = InetAddress.getByName(host);
        try (UdpUnderlay sender = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, segmentation);
             UdpUnderlay receiver = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, coalescing)) {
            assertEquals(coalescing, receiver.receiveOffload(), "UDP_GRO in use as asked (Linux 5.0+)");
            assertEquals(segmentation, sender.segmentationOffload(), "offload in use as asked (Linux 4.18+)");
            Random random = new Random(7);
            List<byte[]> datagrams = new ArrayList<>();
            for (int i = 0; i < 150; i++) {                          // more than one call's segments and bytes
                datagrams.add(bytes(random, 600));
            }
            datagrams.add(bytes(random, 123));                       // the last of a run may be shorter
            List<byte[]> single = List.of(bytes(random, 1400));

            assertEquals(151, sender.sendSegments(datagrams, 0, 151, receiver.localEndpoint()));
            assertEquals(1, sender.sendSegments(single, 0, 1, receiver.localEndpoint()));
            assertEquals(segmentation, sender.segmentationOffload(), "the kernel took the segmented sends");

            byte[] buf = new byte[65536];
            List<byte[]> expected = new ArrayList<>(datagrams);
            expected.addAll(single);
            List<byte[]> received = new ArrayList<>();
            int receives = 0;
            while (received.size() < expected.size()) {
                Underlay.Received r = receiveWithin(receiver, buf, 2000);
                assertNotNull(r, "datagram " + received.size() + " of " + expected.size() + " arrived");
                receives++;
                assertEquals(sender.localEndpoint().address().getPort(), r.from().address().getPort());
                for (int at = 0; at < r.length(); at += r.segment()) {
                    received.add(Arrays.copyOfRange(buf, at, Math.min(r.length(), at + r.segment())));
                }
            }
            assertEquals(expected.size(), received.size());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), received.get(i), "datagram " + i);
            }
            if (segmentation && coalescing) {
                assertTrue(receives < expected.size() / 10, receives + " receives for " + expected.size() + " datagrams");
            } else if (!coalescing) {
                assertEquals(expected.size(), receives, "one datagram per receive");
            }
        }
    }

    @ParameterizedTest(name = "offloads: {0}")
    @CsvSource({"true", "false"})
    void aBlockedReceiveEndsWithTheNextDatagramAndWithTheClose(boolean offload) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (UdpUnderlay sender = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, offload);
             UdpUnderlay receiver = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, offload)) {
            byte[] buf = new byte[2048];
            CompletableFuture<Underlay.Received> first = receiveInBackground(receiver, buf);
            Thread.sleep(200);
            assertFalse(first.isDone(), "nothing sent yet: the receive waits");
            sender.send("lone".getBytes(), 0, 4, receiver.localEndpoint());
            Underlay.Received r = first.get(1, TimeUnit.SECONDS);
            assertEquals(4, r.length());
            assertEquals(sender.localEndpoint().address().getPort(), r.from().address().getPort());
            assertEquals("lone", new String(buf, 0, 4));

            CompletableFuture<Underlay.Received> second = receiveInBackground(receiver, new byte[2048]);
            Thread.sleep(200);
            assertFalse(second.isDone());
            assertClosesAtOnce(receiver, second);
        }
        for (int i = 0; i < 20; i++) {                               // the close may come at any point of the wait
            try (UdpUnderlay receiver = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, offload)) {
                CompletableFuture<Underlay.Received> waiting = receiveInBackground(receiver, new byte[2048]);
                Thread.sleep(i % 4);
                assertClosesAtOnce(receiver, waiting);
            }
        }
    }

    /** The close returns and ends the receive within a second, not after the wait's 5 s safety timeout. */
    private static void assertClosesAtOnce(UdpUnderlay receiver, CompletableFuture<Underlay.Received> waiting)
            throws Exception {
        long closing = System.nanoTime();
        receiver.close();
        assertNull(waiting.get(1, TimeUnit.SECONDS), "the receive ends with the close");
        long took = System.nanoTime() - closing;
        assertTrue(took < TimeUnit.SECONDS.toNanos(1), "close and receive took " + took / 1_000_000 + " ms");
    }

    static CompletableFuture<Underlay.Received> receiveInBackground(UdpUnderlay u, byte[] buf) {
        CompletableFuture<Underlay.Received> got = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                got.complete(u.receive(buf));
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        }, "test-receiver");
        t.setDaemon(true);
        t.start();
        return got;
    }

    private static Underlay.Received receiveWithin(UdpUnderlay u, byte[] buf, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            Underlay.Received r = u.receiveNow(buf);
            if (r != null) {
                return r;
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        assertTrue(n > 0);
        return b;
    }
}
