package io.ipop.underlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real socket on loopback: segmented sends arrive as the datagrams they were, in order, whether the
 * receiver takes them one by one or coalesced (UDP_GRO) and cut apart again.
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
