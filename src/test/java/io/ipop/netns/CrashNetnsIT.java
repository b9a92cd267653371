package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Crashes under load: a node killed with SIGKILL in the middle of a transfer over its secure link is
 * marked lost by its peers within dead-after; restarted on another underlay port, its links are up again
 * within 5 s of it being ready, and the transfer (whose TCP endpoints outlive the node) completes intact.
 * A node stopped with SIGTERM in the middle of a transfer exits 0 within 5 s, its peers hear close at
 * once, and its TAP device is gone. OverlayNetnsIT covers the idle cases.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashNetnsIT {
    private static final long MB = 1_000_000;
    private static MixedOverlay overlay;

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        // the production JIT: nodes are killed and stopped in the middle of transfers at full speed
        overlay = new MixedOverlay("CrashNetnsIT", Map.of(), List.of(NodeProcess.FULL_JIT));
        overlay.startAll();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @Test
    @Order(1)
    void sigkillMidTransferThenRestartOnANewPortRelinksWithinFiveSecondsAndTheTransferCompletes() throws Exception {
        NodeProcess a = overlay.node("a");
        NodeProcess c = overlay.node("c");
        assertTrue(a.link("b").path("secure").asBoolean(), "the a-b link is the secure one");
        MixedOverlay.Running transfer = overlay.startTransfer("a", "b", 200 * MB, Duration.ofSeconds(150), null);
        a.await(Duration.ofSeconds(20), "transfer under way", x -> x.link("b").path("bytes_out").asLong() > 30 * MB);

        overlay.node("b").kill();
        long killed = System.nanoTime();
        a.await(MixedOverlay.DEAD_AFTER.plusSeconds(3), "b lost", x -> "lost".equals(x.linkState("b")));
        long lostMs = (System.nanoTime() - killed) / 1_000_000;
        c.await(MixedOverlay.DEAD_AFTER.plusSeconds(3), "b lost", x -> "lost".equals(x.linkState("b")));
        // the rule: lost at the first liveness check (every keepalive-interval, 500 ms) after dead-after of silence;
        // measured here through a 200 ms poll of /overlay/links, and a loaded machine's timers run late
        assertTrue(lostMs <= MixedOverlay.DEAD_AFTER.toMillis() + 500 + 300, "a marked b lost " + lostMs + " ms after SIGKILL");
        assertEquals("up", a.linkState("c"), "the other link is untouched");

        long restarted = System.nanoTime();
        NodeProcess b = overlay.start("b", 5801);
        b.await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        long ready = System.nanoTime();
        a.await(Duration.ofSeconds(10), "b up again", x -> "up".equals(x.linkState("b")));
        long upMs = (System.nanoTime() - ready) / 1_000_000;
        c.await(Duration.ofSeconds(10), "b up again", x -> "up".equals(x.linkState("b")));
        long cUpMs = (System.nanoTime() - ready) / 1_000_000;
        b.await(Duration.ofSeconds(10), "links to a and c up", x -> "up".equals(x.linkState("a")) && "up".equals(x.linkState("c")));
        System.out.printf("reliability: SIGKILL b mid-transfer: a marked it lost after %d ms (dead-after %d ms); b restarted on "
                        + "port 5801: ready %d ms after start, a's link up %d ms and c's %d ms after ready%n",
                lostMs, MixedOverlay.DEAD_AFTER.toMillis(), (ready - restarted) / 1_000_000, upMs, cUpMs);
        assertTrue(upMs < 5000, "a's link to the restarted b up " + upMs + " ms after b was ready");
        assertTrue(cUpMs < 5000, "c's link to the restarted b up " + cUpMs + " ms after b was ready");
        assertEquals("192.0.2.2:5801", a.link("b").path("endpoint").asText(), "a follows b to its new port");
        assertTrue(a.link("b").path("secure").asBoolean(), "the new link is secure again");

        long t0 = System.nanoTime();
        MixedOverlay.Outcome o = transfer.await();
        System.out.printf("reliability: the transfer across the crash: %d bytes, sha256 %s, finished %.1f s after the relink%n",
                o.received().bytes(), o.intact() ? "matches" : "DIFFERS", (System.nanoTime() - t0) / 1e9);
        assertTrue(o.intact(), "the transfer across the crash arrived intact: " + o);
        assertEquals(200 * MB, o.received().bytes());
        assertPing("c", "b");
    }

    @Test
    @Order(2)
    void sigtermMidTransferExitsCleanlyWithinFiveSeconds() throws Exception {
        NodeProcess a = overlay.node("a");
        NodeProcess c = overlay.node("c");
        MixedOverlay.Running transfer = overlay.startTransfer("a", "c", 2000 * MB, Duration.ofSeconds(60), null);
        a.await(Duration.ofSeconds(20), "transfer under way", x -> x.link("c").path("bytes_out").asLong() > 30 * MB);

        long t0 = System.nanoTime();
        int exit = c.terminate(Duration.ofSeconds(10));
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        a.await(Duration.ofSeconds(2), "c lost on close", x -> "lost".equals(x.linkState("c")));
        long heardMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("reliability: SIGTERM c mid-transfer: exit %d after %d ms, a marked it lost after %d ms%n",
                exit, stopMs, heardMs);
        assertEquals(0, exit, "exit code after SIGTERM\n" + c.logTail());
        assertTrue(stopMs < 5000, "stopped in " + stopMs + " ms");
        assertTrue(a.link("c").path("reason").asText().contains("closed"), a.link("c").toString());
        // b heard c's close too: "lost" alone could be b's dead-after running out
        overlay.node("b").await(Duration.ofSeconds(2), "b heard c's close",
                x -> "lost".equals(x.linkState("c")) && x.link("c").path("reason").asText().contains("closed"));
        assertFalse(overlay.topology.exec("c", Duration.ofSeconds(5), "ip", "link", "show", "ipop0").ok(), "TAP removed");
        transfer.stop();                                // its receiver's node is gone: it cannot finish
    }

    private static void assertPing(String from, String to) {
        Shell.Result r = overlay.topology.exec(from, Duration.ofSeconds(15), "ping", "-c", "3", "-i", "0.2", "-W", "2",
                MixedOverlay.overlayIp(to));
        assertEquals(0, r.exit(), "ping " + from + " -> " + to + "\n" + r.output());
    }
}
