package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.dataplane.Drop;
import io.ipop.frame.MacAddress;
import io.ipop.peer.LinkState;
import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerLink;
import io.ipop.tap.MemoryTap;
import io.ipop.underlay.MemoryNetwork;
import io.ipop.underlay.Underlay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole nodes (actors and stream graphs) in one JVM over an in-memory TAP and underlay. No root needed. */
class InProcessOverlayTest {
    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress MAC_B = MacAddress.parse("02:00:00:00:00:0b");

    private final MemoryNetwork network = new MemoryNetwork(42);
    private final List<Node> nodes = new ArrayList<>();

    private record Node(ActorSystem<Void> system, MemoryTap tap, Underlay underlay, NodeSettings settings) {
        PeerLink link(String peer) {
            return NodeRuntime.get(system).state().links().get(peer);
        }
    }

    @AfterEach
    void stopAll() {
        for (Node n : nodes) {
            n.system.terminate();
            n.system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void framesCrossTheOverlayBothWays() throws Exception {
        Node a = start("a", 1, MAC_A, "b", 2);
        Node b = start("b", 2, MAC_B, "a", 1);
        awaitUp(a, "b");
        awaitUp(b, "a");

        byte[] broadcast = frame(MacAddress.BROADCAST, MAC_A, 60);
        a.tap.inject(broadcast);
        assertArrayEquals(broadcast, b.tap.takeWritten(3000), "broadcast from a reaches b's TAP unchanged");

        byte[] unicast = frame(MAC_A, MAC_B, 1400);
        b.tap.inject(unicast);
        assertArrayEquals(unicast, a.tap.takeWritten(3000), "unicast from b reaches a's TAP unchanged");

        assertEquals(1, a.link("b").counters().packetsOut());
        assertEquals(1, a.link("b").counters().packetsIn());
        assertEquals(1400, a.link("b").counters().bytesIn());
    }

    @Test
    void unicastForAnotherMacIsDroppedAndCounted() throws Exception {
        Node a = start("a", 1, MAC_A, "b", 2);
        Node b = start("b", 2, MAC_B, "a", 1);
        awaitUp(a, "b");
        awaitUp(b, "a");
        a.tap.inject(frame(MacAddress.parse("02:00:00:00:00:99"), MAC_A, 100)); // unknown unicast: flooded by a
        await(() -> counters(b).drops(Drop.NOT_FOR_US) == 1, "b counts the frame not meant for it");
        assertEquals(null, b.tap.takeWritten(200));
    }

    @Test
    void linksComeUpAndCarryTrafficWithTenPercentLoss() throws Exception {
        network.setLossRate(0.10);
        Node a = start("a", 1, MAC_A, "b", 2);
        Node b = start("b", 2, MAC_B, "a", 1);
        awaitUp(a, "b");
        awaitUp(b, "a");
        int sent = 500;
        for (int i = 0; i < sent; i++) {
            a.tap.inject(frame(MAC_B, MAC_A, 200));
        }
        int got = 0;
        while (b.tap.takeWritten(500) != null) {
            got++;
        }
        assertTrue(got > sent * 0.8 && got < sent, "about 90% of frames arrive, got " + got);
    }

    @Test
    void silentPeerIsLostWithinDeadAfterAndRelinkedWhenItComesBack() throws Exception {
        Node a = start("a", 1, MAC_A, "b", 2);
        Node b = start("b", 2, MAC_B, "a", 1);
        awaitUp(a, "b");
        String firstInstance = a.link("b").snapshot().remote().instance();

        b.underlay.close();                          // b vanishes without a word, as on SIGKILL
        long t0 = System.nanoTime();
        await(() -> a.link("b").snapshot().state() == LinkState.LOST, "a marks b lost");
        long lostAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long deadAfter = a.settings.link().deadAfter().toMillis();
        assertTrue(lostAfter <= deadAfter + 500, "lost after " + lostAfter + " ms, dead-after is " + deadAfter + " ms");

        b.system.terminate();
        b.system.getWhenTerminated().toCompletableFuture().join();
        nodes.remove(b);
        Node b2 = start("b", 2, MAC_B, "a", 1);       // restarted: new instance, new index
        awaitUp(a, "b");
        assertTrue(!firstInstance.equals(a.link("b").snapshot().remote().instance()), "a sees the new instance");
        byte[] f = frame(MAC_B, MAC_A, 300);
        a.tap.inject(f);
        assertArrayEquals(f, b2.tap.takeWritten(3000));
    }

    @Test
    void gracefulStopTellsThePeerAtOnce() throws Exception {
        Node a = start("a", 1, MAC_A, "b", 2);
        Node b = start("b", 2, MAC_B, "a", 1);
        awaitUp(a, "b");
        b.system.terminate();
        b.system.getWhenTerminated().toCompletableFuture().join();
        nodes.remove(b);
        await(() -> a.link("b").snapshot().state() == LinkState.LOST, "a hears b's close");
        assertTrue(a.link("b").snapshot().reason().contains("closed"), a.link("b").snapshot().reason());
    }

    private Node start(String name, int host, MacAddress mac, String peer, int peerHost) {
        NodeSettings settings = NodeSettings.fromUser(ConfigFactory.parseString("""
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "10.77.0.%d/24" }
                  underlay { port = 5800 }
                  peers = [ { name = "%s", endpoint = "192.0.2.%d:5800" } ]
                  link { keepalive-interval = 100ms, dead-after = 1s, retry-min = 50ms, retry-max = 200ms }
                  log.level = WARN
                }
                """.formatted(name, host, peer, peerHost)));
        MemoryTap tap = new MemoryTap("ipop0", mac, 1400);
        Underlay underlay = network.bind("192.0.2." + host, 5800);
        LocalNode self = new LocalNode(name, name + "-" + System.nanoTime(), settings.tap().address(), mac,
                settings.groups(), underlay.localEndpoint(), Instant.now());
        ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(settings, self, tap, underlay), name, settings.config());
        Node n = new Node(system, tap, underlay, settings);
        nodes.add(n);
        await(() -> NodeRuntime.get(system).state() != null, name + " starts");
        return n;
    }

    private static io.ipop.dataplane.DataplaneCounters counters(Node n) {
        return NodeRuntime.get(n.system).state().counters();
    }

    private static void awaitUp(Node n, String peer) throws InterruptedException {
        await(() -> n.link(peer) != null && n.link(peer).snapshot().state() == LinkState.UP, "link to " + peer + " up");
        assertNotNull(n.link(peer).snapshot().remote());
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** An Ethernet frame with an IPv4 ethertype and a recognisable payload. */
    private static byte[] frame(MacAddress dst, MacAddress src, int length) {
        byte[] f = new byte[length];
        dst.writeTo(f, 0);
        src.writeTo(f, 6);
        f[12] = 0x08;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (i * 7);
        }
        return f;
    }
}
