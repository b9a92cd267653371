package io.ipop.node;

import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.frame.OverlayAddress;
import io.ipop.node.TestNodes.Node;
import io.ipop.peer.LinkState;
import io.ipop.secure.OverlayCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rekeying with whole nodes in one JVM and real DTLS: with {@code rekey-after = 1s} a secure link takes
 * new keys every second or so while frames flow both ways, and none is lost or refused.
 */
class RekeyOverlayTest {
    private static final byte[] PAYLOAD = "rekey-payload".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    private final TestNodes nodes = new TestNodes();

    @BeforeAll
    static void pki() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aSecureLinkRekeysEverySecondWithoutLosingAFrame() throws Exception {
        Node a = nodes.start("a", 1, security("a"), "b:2");
        Node b = nodes.start("b", 2, security("b"), "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        assertNotNull(a.link("b").keyAge(), "a secure link shows its key age");

        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        int sent = 0;
        while (System.nanoTime() < deadline) {
            byte[] toB = TestNodes.frame(b.mac(), a.mac(), 300, PAYLOAD);
            toB[299] = (byte) sent;
            a.tap().inject(toB);
            assertArrayEquals(toB, b.tap().takeWritten(3000), "frame " + sent + " a -> b");
            byte[] toA = TestNodes.frame(a.mac(), b.mac(), 300, PAYLOAD);
            toA[299] = (byte) sent;
            b.tap().inject(toA);
            assertArrayEquals(toA, a.tap().takeWritten(3000), "frame " + sent + " b -> a");
            sent++;
            sleep(5);
        }
        long rekeysA = a.link("b").rekeys();
        long rekeysB = b.link("a").rekeys();
        System.out.printf("rekey-after 1s for 6 s: %d frames each way, all delivered; rekeys a=%d b=%d%n", sent,
                rekeysA, rekeysB);
        assertTrue(rekeysA >= 3 && rekeysB >= 3, "rekeys a=" + rekeysA + " b=" + rekeysB);
        assertTrue(a.link("b").keyAge().compareTo(Duration.ofSeconds(3)) < 0, "keys are young: " + a.link("b").keyAge());
        assertEquals(1, a.link("b").setups().linksUp(), "the link was never set up again");
        assertEquals(0, a.counters().drops(DataDrop.REPLAY) + b.counters().drops(DataDrop.REPLAY));
        assertEquals(0, a.counters().drops(DataDrop.AUTH_FAILED) + b.counters().drops(DataDrop.AUTH_FAILED),
                "the server prepares new keys before its last flight can reach the client: no probe is refused");
    }

    private static String security(String name) {
        return """
                groups = [ blue ]
                security {
                  mode = by-group, ca = "%s", cert = "%s", key = "%s"
                  rekey-after = 1s
                }
                """.formatted(dir.resolve("ca.crt"), dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
