package io.ipop.node;

import com.typesafe.config.ConfigFactory;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.peer.LinkSnapshot;
import io.ipop.peer.LinkState;
import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerLink;
import io.ipop.tap.MemoryTap;
import io.ipop.underlay.MemoryNetwork;
import io.ipop.underlay.Underlay;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Whole nodes (actors and stream graphs) in this JVM over {@link MemoryTap} and a {@link MemoryNetwork}.
 * Node {@code name} on host {@code h} has underlay 192.0.2.h:5800 and overlay 10.77.0.h/24.
 */
final class TestNodes implements AutoCloseable {
    final MemoryNetwork network = new MemoryNetwork(42);
    private final List<Node> nodes = new ArrayList<>();

    record Node(ActorSystem<Void> system, MemoryTap tap, Underlay underlay, NodeSettings settings) {
        PeerLink link(String peer) {
            return NodeRuntime.get(system).state().links().get(PeerId.of(peer));
        }

        LinkSnapshot snapshot(String peer) {
            PeerLink l = link(peer);
            return l == null ? null : l.snapshot();
        }

        DataplaneCounters counters() {
            return NodeRuntime.get(system).state().counters();
        }

        MacAddress mac() {
            return tap.mac();
        }

        void stop() {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    /**
     * Starts a node. {@code peers} are "name:host" pairs; {@code extra} is HOCON inside {@code ipop { }}.
     */
    Node start(String name, int host, String extra, String... peers) {
        String config = config(name, host, extra, peers);
        return start(name, host, () -> config);
    }

    /** The config {@link #start(String, int, String, String...)} gives a node, as HOCON text. */
    static String config(String name, int host, String extra, String... peers) {
        StringBuilder peerList = new StringBuilder();
        for (String p : peers) {
            String[] parts = p.split(":");
            peerList.append("{ name = \"").append(parts[0]).append("\", endpoint = \"192.0.2.").append(parts[1])
                    .append(":5800\" }\n");
        }
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "10.77.0.%d/24" }
                  underlay { port = 5800 }
                  peers = [ %s ]
                  link { keepalive-interval = 100ms, dead-after = 1s, retry-min = 50ms, retry-max = 200ms }
                  dataplane.warm-up-frames = 0      # ~1 CPU s per node; WarmupTest and OverlayNetnsIT cover it
                  log.level = WARN
                  %s
                }
                """.formatted(name, host, peerList, extra);
    }

    /** Starts a node from {@code config} (HOCON text), which is read again on every reload of the node. */
    Node start(String name, int host, Supplier<String> config) {
        Supplier<NodeSettings> load = () -> NodeSettings.fromUser(ConfigFactory.parseString(config.get()));
        NodeSettings settings = load.get();
        MemoryTap tap = new MemoryTap("ipop0", settings.tap().mac(), 1400);
        Underlay underlay = network.bind("192.0.2." + host, 5800);
        LocalNode self = new LocalNode(name, name + "-" + System.nanoTime(), settings.tap().address(), tap.mac(),
                settings.groups(), underlay.localEndpoint(), Instant.now());
        ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(settings, self, tap, underlay, load), name,
                settings.config());
        Node n = new Node(system, tap, underlay, settings);
        nodes.add(n);
        await(() -> NodeRuntime.get(system).state() != null, name + " starts");
        return n;
    }

    void stop(Node n) {
        n.stop();
        nodes.remove(n);
    }

    /** Waits for the link's state; for {@code UP} also for its route, which follows by one message. */
    static void awaitState(Node n, String peer, LinkState state) {
        await(() -> n.link(peer) != null && n.snapshot(peer).state() == state,
                "link " + peer + " " + state + " (now " + n.snapshot(peer) + ")");
        if (state == LinkState.UP) {
            await(() -> NodeRuntime.get(n.system()).state().routes().get().byPeer(PeerId.of(peer)) != null, "a route to " + peer);
        }
    }

    static void await(BooleanSupplier condition, String what) {
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

    /**
     * An Ethernet frame of the local experimental ethertype 0x88B5 (IEEE 802) and {@code payload} repeated to
     * fill {@code length}: carried on its MACs alone (an IPv4 ethertype would need a real IPv4 header from
     * the sender's address to pass the receiver's identity check).
     */
    static byte[] frame(MacAddress dst, MacAddress src, int length, byte[] payload) {
        byte[] f = new byte[length];
        dst.writeTo(f, 0);
        src.writeTo(f, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        for (int i = 14; i < length; i++) {
            f[i] = payload[(i - 14) % payload.length];
        }
        return f;
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.stop();
        }
        nodes.clear();
    }
}
