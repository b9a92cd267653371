package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the directory follows a discovery source: {@code PeerFound} and {@code PeerLost} by source. */
class PeerDirectoryDiscoveryTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of(), Endpoint.of(InetAddress.getLoopbackAddress(), 5800),
            Instant.now());
    private static final Endpoint B = Endpoint.of(InetAddress.getLoopbackAddress(), 5802);
    private static final Endpoint C = Endpoint.of(InetAddress.getLoopbackAddress(), 5803);

    private final Links links = new Links();
    private RecordingUnderlay wire;
    private ActorRef<PeerDirectory.Command> directory;

    @BeforeEach
    void start() {
        wire = new RecordingUnderlay();
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        LinkContext context = new LinkContext(SELF, new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofMillis(200)), security, Optional.empty(),
                new ControlChannel(wire, new ControlCodec()), new Hellos(SELF, Optional.empty()),
                new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60), new NonceCache(Duration.ofSeconds(120), 100),
                        Clock.systemUTC()),
                KIT.spawn(SecurityPolicy.create(security, SELF.groups())), new DataplaneCounters(), Runnable::run);
        directory = KIT.spawn(PeerDirectory.create(context, links, r -> { }));
    }

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void aPeerLostByItsOwnSourceIsUnlinkedAndOthersAreLeftAlone() {
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("b"), B, Discovery.CLUSTER));
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("c"), C, Discovery.STATIC));
        await("both links", () -> links.knows(PeerId.of("b")) && links.knows(PeerId.of("c")));
        assertEquals(Discovery.CLUSTER, links.get(PeerId.of("b")).discoveredBy());
        await("con_req to b's published endpoint", () -> wire.drain().stream().anyMatch(s -> s.to().equals(B)));

        directory.tell(new PeerDirectory.PeerLost(PeerId.of("c"), Discovery.CLUSTER, "left the cluster"));   // c came from the config
        directory.tell(new PeerDirectory.PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster"));
        await("b unlinked", () -> !links.knows(PeerId.of("b")));
        assertNotNull(links.get(PeerId.of("c")), "a static peer is not the cluster's to remove");
    }

    @Test
    void aPeerFoundAgainWhileItsOldSessionStopsIsLinkedAfresh() {
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("b"), B, Discovery.CLUSTER));
        await("b linked", () -> links.knows(PeerId.of("b")));
        int oldIndex = links.get(PeerId.of("b")).localIndex();
        directory.tell(new PeerDirectory.PeerLost(PeerId.of("b"), Discovery.CLUSTER, "restarted (new cluster member)"));
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("b"), C, Discovery.CLUSTER));
        await("b linked again at its new endpoint", () -> links.knows(PeerId.of("b")) && links.get(PeerId.of("b")).localIndex() != oldIndex);
        assertNotEquals(oldIndex, links.get(PeerId.of("b")).localIndex());
        wire.drain();
        await("con_req to the new endpoint", () -> wire.drain(ConReq.class).size() > 0);
        assertEquals(C, links.get(PeerId.of("b")).snapshot().endpoint());
    }

    @Test
    void anOverlaySessionThePeerClosesStopsInsteadOfSeekingThePeerAgain() {
        // seeking again would send a con_req over the overlay that opens a session at the peer nothing uses
        PeerId b = PeerId.of("b");
        Endpoint path = OverlayPaths.endpointOf(b);
        directory.tell(new PeerDirectory.PeerFound(b, path, Discovery.OVERLAY));
        answerAsB(path, "instance-b", "10.77.0.3/24");
        await("b up", () -> links.get(b).snapshot().state() == LinkState.UP);
        wire.drain();
        directory.tell(new PeerDirectory.ControlReceived(path, new ControlMessage.Close("b", "overlay session idle for 120 s")));
        await("b's session stopped", () -> !links.knows(b));
        try {
            Thread.sleep(600);                           // three retry periods (retry-min 100 ms, max 200 ms)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(List.of(), wire.drain(ConReq.class), "no con_req to b after its close");
    }

    @Test
    void theLossOfAPeersOldIncarnationLeavesTheLinkItsNewOneSetUp() throws Exception {
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("b"), B, Discovery.CLUSTER));
        // b restarted and its new process (instance "b-new") linked before the cluster removed its old member: the
        // link really comes up with it (a snapshot published by hand would race the link's own retries)
        answerAsB(B, "b-new", "10.77.0.2/24");
        await("b up with its new incarnation", () -> links.knows(PeerId.of("b"))
                && links.get(PeerId.of("b")).snapshot().state() == LinkState.UP);
        PeerLink link = links.get(PeerId.of("b"));
        assertEquals("b-new", link.snapshot().remote().instance());
        directory.tell(new PeerDirectory.PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster", "b-old"));
        directory.tell(new PeerDirectory.PeerFound(PeerId.of("b"), B, Discovery.CLUSTER));   // its new member is up
        Thread.sleep(300);
        assertEquals(link, links.get(PeerId.of("b")), "the link of the new incarnation stays");

        directory.tell(new PeerDirectory.PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster", "b-new"));
        await("the loss of the incarnation the link has unlinks it", () -> !links.knows(PeerId.of("b")));
    }

    /** Plays peer b at {@code at}: waits for this node's con_req there, then sends b's con_req and con_resp. */
    private void answerAsB(Endpoint at, String instance, String address) {
        ConReq[] ours = new ConReq[1];
        await("b's con_req at " + at, () -> {
            wire.drain().stream().filter(x -> x.to().equals(at) && x.message() instanceof ConReq)
                    .findFirst().ifPresent(x -> ours[0] = (ConReq) x.message());
            return ours[0] != null;
        });
        directory.tell(new PeerDirectory.ControlReceived(at, new ConReq(ControlMessage.PROTOCOL_VERSION, "b", instance,
                address, "02:00:00:00:00:02", List.of(), "n-b", 77, 0, false, null, null)));
        directory.tell(new PeerDirectory.ControlReceived(at, new ControlMessage.ConResp(ControlMessage.PROTOCOL_VERSION, "b",
                instance, address, "02:00:00:00:00:02", List.of(), "r-b", 77, 0, ours[0].nonce(), false, null, null)));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
