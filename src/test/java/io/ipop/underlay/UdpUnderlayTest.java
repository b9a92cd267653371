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

/** The real socket on loopback: segmented sends arrive as the datagrams they were, in order. */
class UdpUnderlayTest {
    private static final int BUFFER = 4 << 20;

    @ParameterizedTest(name = "{0}, segmentation offload {1}")
    @CsvSource({"127.0.0.1, true", "127.0.0.1, false", "::1, true"})
    void segmentedRunsArriveAsTheDatagramsTheyWere(String host, boolean segmentation) throws Exception {
        InetAddress loopback = InetAddress.getByName(host);
        try (UdpUnderlay sender = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, segmentation);
             UdpUnderlay receiver = UdpUnderlay.bind(new InetSocketAddress(loopback, 0), BUFFER, false)) {
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
            for (int i = 0; i < expected.size(); i++) {
                Underlay.Received r = receiveWithin(receiver, buf, 2000);
                assertNotNull(r, "datagram " + i + " of " + expected.size() + " arrived");
                assertEquals(sender.localEndpoint().address().getPort(), r.from().address().getPort());
                assertArrayEquals(expected.get(i), Arrays.copyOf(buf, r.length()), "datagram " + i);
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
