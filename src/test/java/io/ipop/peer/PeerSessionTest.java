package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The link state machine and its timers, driven by hand with ManualTime; no sockets. */
class PeerSessionTest {
    private static final ActorTestKit KIT = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime TIME = ManualTime.get(KIT.system());
    private static final LinkSettings TIMERS = new LinkSettings(
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofSeconds(2));
    private static final Endpoint PEER_ENDPOINT = Endpoint.of(InetAddress.getLoopbackAddress(), 5801);
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.of(InetAddress.getLoopbackAddress(), 5800),
            Instant.now());
    private static final int LOCAL_INDEX = 0x1234;

    private RecordingUnderlay wire;
    private TestProbe<PeerDirectory.Command> directory;
    private PeerLink link;
    private LinkContext linkContext;
    private ActorRef<PeerSession.Command> session;

    @BeforeEach
    void start() {
        wire = new RecordingUnderlay();
        directory = KIT.createTestProbe();
        link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, LOCAL_INDEX, PEER_ENDPOINT);
        linkContext = context(wire);
        session = KIT.spawn(PeerSession.create(linkContext, PeerId.of("b"), PEER_ENDPOINT, link, directory.getRef()));
    }

    @AfterEach
    void stopSession() {
        KIT.stop(session, Duration.ofSeconds(3));
    }

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void resendsConReqWithCappedExponentialBackoff() {
        awaitSent(ConReq.class, 1);
        // retry-min 250 ms, then 500 ms, 1 s, 2 s, capped at retry-max = 2 s
        long[] gaps = {250, 500, 1000, 2000, 2000};
        for (long gap : gaps) {
            TIME.timePasses(Duration.ofMillis(gap - 1));
            directory.expectNoMessage(Duration.ofMillis(100));    // real time for a timer that fired to be acted on
            assertEquals(0, wire.drain(ConReq.class).size(), "no con_req before " + gap + " ms");
            TIME.timePasses(Duration.ofMillis(1));
            awaitSent(ConReq.class, 1);
        }
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
    }

    @Test
    void conReqFromPeerIsAnsweredAndBringsTheLinkUp() {
        ConReq own = awaitSent(ConReq.class, 1).get(0);
        assertEquals(LOCAL_INDEX, own.index());
        session.tell(received(conReq("instance-b", 77)));
        ConResp resp = awaitSent(ConResp.class, 1).get(0);
        assertEquals("n-b", resp.echo());
        PeerDirectory.LinkUp up = directory.expectMessageClass(PeerDirectory.LinkUp.class);
        assertEquals(77, up.route().remoteIndex());
        assertEquals(LOCAL_INDEX, up.route().localIndex());
        assertEquals(MacAddress.parse("02:00:00:00:00:02"), new MacAddress(up.route().mac()));
        awaitState(LinkState.UP);
    }

    @Test
    void conRespOnlyCountsWhenItEchoesOurNonce() {
        ConReq own = awaitSent(ConReq.class, 1).get(0);
        session.tell(received(conResp("instance-b", 77, "some-other-nonce")));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
        assertEquals(1, linkContext.counters().drops(SetupDrop.UNEXPECTED_RESPONSE));
        session.tell(received(conResp("instance-b", 77, own.nonce())));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
    }

    @Test
    void simultaneousConReqsConvergeOnOneLink() {
        ConReq own = awaitSent(ConReq.class, 1).get(0);
        session.tell(received(conReq("instance-b", 77)));        // the peer's request crossed ours
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        session.tell(received(conResp("instance-b", 77, own.nonce())));  // then its answer to ours arrives
        directory.expectNoMessage(Duration.ofMillis(100));        // a duplicate: no second link-up
        awaitState(LinkState.UP);
    }

    @Test
    void upLinkPingsAndIsLostAfterDeadAfterOfSilence() {
        bringUp();
        TIME.timePasses(Duration.ofSeconds(1));
        assertTrue(awaitSent(Ping.class, 1).size() >= 1, "a ping every keepalive-interval");
        TIME.timePasses(Duration.ofMillis(3_400));
        directory.expectNoMessage(Duration.ofMillis(100));        // no LinkDown once the session has acted
        assertEquals(LinkState.UP, link.snapshot().state(), "still up before dead-after");
        TIME.timePasses(Duration.ofMillis(700));
        PeerDirectory.LinkDown down = directory.expectMessageClass(PeerDirectory.LinkDown.class);
        assertEquals(PeerId.of("b"), down.peer());
        awaitState(LinkState.LOST);
        assertTrue(link.snapshot().reason().contains("nothing heard"), link.snapshot().reason());
        awaitSent(ConReq.class, 1);                               // and it starts reconnecting at once
    }

    @Test
    void anythingHeardKeepsTheLinkUp() {
        bringUp();
        for (int i = 0; i < 20; i++) {
            link.counters().heard();                               // what the data path does per frame
            TIME.timePasses(Duration.ofMillis(500));
        }
        assertEquals(LinkState.UP, link.snapshot().state());
        directory.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void conReqWithoutDecisionIsAnsweredButTheLinkWaitsForThePeersDecision() {
        ConReq first = awaitSent(ConReq.class, 1).get(0);
        assertEquals(null, first.secure(), "before hearing the peer, no decision to state");
        session.tell(received(conReq("instance-b", 77, null)));
        List<RecordingUnderlay.Sent> sent = awaitAny(2);
        ConResp resp = (ConResp) sent.get(0).message();
        assertEquals(false, resp.secure(), "mode never: plaintext");
        ConReq withDecision = (ConReq) sent.get(1).message();
        assertEquals(false, withDecision.secure(), "our next con_req tells the peer our decision at once");
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
        session.tell(received(conResp("instance-b", 77, withDecision.nonce())));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
        assertEquals("mode:never", link.snapshot().security().reason());
    }

    @Test
    void peerRestartRenewsTheLinkWithItsNewIndex() {
        bringUp();
        session.tell(received(conReq("instance-b-2", 99)));
        awaitSent(ConResp.class, 1);
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        PeerDirectory.LinkUp renewed = directory.expectMessageClass(PeerDirectory.LinkUp.class);
        assertEquals(99, renewed.route().remoteIndex());
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals("instance-b-2", link.snapshot().remote().instance());
    }

    @Test
    void closeFromPeerMarksTheLinkLostAtOnce() {
        bringUp();
        session.tell(received(new Close("b", "node shutting down")));
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        awaitState(LinkState.LOST);
        assertTrue(link.snapshot().reason().contains("node shutting down"));
    }

    @Test
    void unauthenticatedControlFromAnotherAddressIsCountedAndChangesNothing() {
        ConReq own = awaitSent(ConReq.class, 1).get(0);
        session.tell(received(conReq("instance-b", 77)));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
        String reason = link.snapshot().reason();
        Endpoint elsewhere = Endpoint.of(InetAddress.getLoopbackAddress(), 6666);
        session.tell(new PeerSession.ControlReceived(elsewhere, new Close("b", "forged")));
        session.tell(new PeerSession.ControlReceived(elsewhere, new Ping("b", 1, System.nanoTime())));
        session.tell(new PeerSession.ControlReceived(elsewhere, new ControlMessage.Pong("b", 0, System.nanoTime())));
        session.tell(new PeerSession.ControlReceived(elsewhere, new ControlMessage.ConRej("b", "forged refusal")));
        session.tell(received(conResp("instance-b", 77, "never-sent")));
        session.tell(received(conResp("instance-b", 77, own.nonce())));   // a late answer to our own request: fine
        directory.expectNoMessage(Duration.ofMillis(200));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(reason, link.snapshot().reason());
        assertEquals(4, linkContext.counters().drops(SetupDrop.WRONG_ADDRESS));
        assertEquals(0, wire.drain(ControlMessage.Pong.class).size(), "no pong reflected to another address");
        assertEquals(1, linkContext.counters().drops(SetupDrop.UNEXPECTED_RESPONSE));
    }

    @Test
    void refusesAnotherProtocolVersionAndSaysWhy() {
        awaitSent(ConReq.class, 1);
        session.tell(received(new ConReq(2, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02", List.of(),
                "n-b", 77, 0, false, null, null)));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
        assertTrue(link.snapshot().reason().contains("protocol version 2"), link.snapshot().reason());
        assertEquals(0, wire.drain(ConResp.class).size());
    }

    @Test
    void closeLinkSaysCloseToAnUpPeerAndStops() {
        bringUp();
        TestProbe<Object> watcher = KIT.createTestProbe();
        session.tell(PeerSession.CloseLink.INSTANCE);
        watcher.expectTerminated(session, Duration.ofSeconds(3));
        List<Close> closes = wire.drain(Close.class);
        assertEquals(1, closes.size());
        assertNotEquals("", closes.get(0).reason());
    }

    @Test
    void duplicateConReqOnAnUpLinkIsAnsweredAndChangesNothing() {
        bringUp();
        session.tell(received(conReq("instance-b", 77, false)));   // same instance, index and decision
        ConResp again = awaitSent(ConResp.class, 1).get(0);
        assertEquals(false, again.secure());
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(LinkState.UP, link.snapshot().state());
    }

    @Test
    void conReqWithChangedGroupsIsDecidedAgainAndAnUnchangedDecisionKeepsTheLink() {
        bringUp();
        ConReq regrouped = new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24",
                "02:00:00:00:00:02", List.of("blue", "red"), "n-b2", 77, 0, false, null, null);
        session.tell(received(regrouped));                        // the peer reloaded with other groups
        ConResp answer = awaitSent(ConResp.class, 1).get(0);       // decided again: still plaintext (mode never)
        assertEquals(false, answer.secure());
        directory.expectNoMessage(Duration.ofMillis(200));        // an unchanged decision keeps the link
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(List.of("blue", "red"), link.snapshot().remote().groups(), "the view of the peer is updated");
    }

    @Test
    void conReqWithoutDecisionOnAnUpLinkSetsTheLinkUpAgain() {
        bringUp();
        session.tell(received(conReq("instance-b", 77, null)));    // the peer went back to setup without knowing us
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        List<RecordingUnderlay.Sent> sent = awaitAny(3);            // con_req (new setup), con_resp, con_req with decision
        ConResp resp = sent.stream().map(RecordingUnderlay.Sent::message).filter(ConResp.class::isInstance)
                .map(ConResp.class::cast).findFirst().orElseThrow();
        assertEquals("n-b", resp.echo());
        ConReq withDecision = (ConReq) sent.get(2).message();
        assertEquals(false, withDecision.secure());
        session.tell(received(conResp("instance-b", 77, withDecision.nonce())));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
        assertEquals(2, link.setups().linksUp());
    }

    @Test
    void conReqWithAChangedDecisionOnAnUpLinkSetsTheLinkUpAgainInTheNewMode() {
        bringUp();
        session.tell(received(conReq("instance-b", 77, true)));    // after a reload the peer wants the link secure
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        awaitState(LinkState.LOST);
        // This node (mode never, no certificate) cannot do a secure link: it answers, then says why it refuses.
        List<ControlMessage> sent = awaitAny(3).stream().map(RecordingUnderlay.Sent::message).toList();
        assertTrue(sent.stream().anyMatch(m -> m instanceof ConResp r && Boolean.FALSE.equals(r.secure())), sent.toString());
        assertTrue(sent.stream().anyMatch(m -> m instanceof ControlMessage.ConRej), sent.toString());
        assertTrue(link.snapshot().reason().contains("this node has no certificate"), link.snapshot().reason());
        directory.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void reconfigureThatFlipsThisSidesDecisionSetsTheLinkUpAgainStatingIt() {
        bringUp();
        SecuritySettings always = new SecuritySettings(SecuritySettings.Mode.ALWAYS, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        updatePolicy(always);
        session.tell(new PeerSession.Reconfigure(linkContext.reconfigured(SELF, always, linkContext.check()), null));
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        ConReq req = awaitSent(ConReq.class, 1).get(0);
        assertEquals(true, req.secure(), "the new decision travels in the first con_req");
        assertNotEquals(LOCAL_INDEX, req.index(), "set up again: a new receiver index (docs/security.md, invariant 4)");
        assertEquals(link.localIndex(), req.index());
        assertEquals(LinkState.LOST, link.snapshot().state());
        assertTrue(link.snapshot().reason().contains("security decision changed"), link.snapshot().reason());
    }

    @Test
    void reconfigureThatKeepsTheDecisionLeavesTheLinkUp() {
        bringUp();
        SecuritySettings never = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(30), Duration.ofSeconds(10));
        updatePolicy(never);
        session.tell(new PeerSession.Reconfigure(linkContext.reconfigured(SELF.withGroups(List.of("red")), never,
                linkContext.check()), PEER_ENDPOINT));
        directory.expectNoMessage(Duration.ofMillis(200));
        assertEquals(LinkState.UP, link.snapshot().state());
        // one con_req tells the peer our new groups with the unchanged decision, so it can decide again
        List<ConReq> told = wire.drain(ConReq.class);
        assertEquals(1, told.size());
        assertEquals(false, told.get(0).secure());
        assertEquals(List.of("red"), told.get(0).groups());
    }

    private void updatePolicy(SecuritySettings settings) {
        TestProbe<org.apache.pekko.Done> done = KIT.createTestProbe();
        linkContext.policy().tell(new SecurityPolicy.Update(settings, List.of("blue"), done.getRef()));
        done.expectMessageClass(org.apache.pekko.Done.class);
    }

    /** A node without certificate, mode never: what every plaintext-only node runs with. */
    private static LinkContext context(RecordingUnderlay wire) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(SELF, TIMERS, security, Optional.empty(), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.empty()), check, KIT.spawn(SecurityPolicy.create(security, SELF.groups())),
                new DataplaneCounters(), Runnable::run);
    }

    private void bringUp() {
        awaitSent(ConReq.class, 1);
        session.tell(received(conReq("instance-b", 77)));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
        wire.drain();
    }

    private static PeerSession.ControlReceived received(ControlMessage m) {
        return new PeerSession.ControlReceived(PEER_ENDPOINT, m);
    }

    /** A plaintext peer's request that already states its decision (it heard us before). */
    private static ConReq conReq(String instance, int index) {
        return conReq(instance, index, false);
    }

    private static ConReq conReq(String instance, int index, Boolean secure) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "n-b", index, 0, secure, null, null);
    }

    private static ConResp conResp(String instance, int index, String echo) {
        return new ConResp(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "r-b", index, 0, echo, false, null, null);
    }

    /** Waits (real time) until the session sent {@code count} messages of {@code type}; returns them. */
    private <T extends ControlMessage> List<T> awaitSent(Class<T> type, int count) {
        List<T> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            got.addAll(wire.drain(type));
            sleep();
        }
        assertTrue(got.size() >= count, "expected " + count + " " + type.getSimpleName() + ", got " + got.size());
        return got;
    }

    /** Waits (real time) until the session sent {@code count} messages of any type; returns them in order. */
    private List<RecordingUnderlay.Sent> awaitAny(int count) {
        List<RecordingUnderlay.Sent> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            got.addAll(wire.drain());
            sleep();
        }
        assertEquals(count, got.size(), "messages sent: " + got);
        return got;
    }

    private void awaitState(LinkState state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (link.snapshot().state() != state && System.nanoTime() < deadline) {
            sleep();
        }
        assertEquals(state, link.snapshot().state());
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
