package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** How a session refuses hellos and hears the peer refuse: counters, the link's reason, con_rej, a throttled log. */
class RefusalsTest {
    private static final Endpoint PEER = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint ELSEWHERE = Endpoint.parse("192.0.2.9:5800");
    private static final long SECOND = 1_000_000_000L;
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.1:5800"), Instant.now());

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final LinkContext ctx = context(wire);
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, PEER);
    private final AtomicLong now = new AtomicLong(100 * SECOND);
    private final Logger log = (Logger) LoggerFactory.getLogger("RefusalsTest");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final LinkPublisher publisher = new LinkPublisher(PeerId.of("b"), link, new LinkSetup(), told -> { }, Clock.systemUTC());
    private final Refusals refusals = new Refusals(PeerId.of("b"), publisher, () -> log, now::get);

    @BeforeEach
    void capture() {
        lines.start();
        log.addAppender(lines);
        log.setAdditive(false);
    }

    @AfterEach
    void release() {
        log.detachAppender(lines);
        log.setAdditive(true);
    }

    @Test
    void aRefusedHelloIsCountedShownAndToldToThePeerIfItCanFixIt() {
        refusals.reject(ctx, PEER, new HelloCheck.Rejected(SetupDrop.HELLO_REFUSED, "protocol version 9, this node speaks 1", true));
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_REFUSED));
        assertEquals("protocol version 9, this node speaks 1", link.snapshot().reason());
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(1, sent.size());
        assertEquals(new ConRej("a", "protocol version 9, this node speaks 1"), sent.get(0).message());
        assertEquals(PEER, sent.get(0).to());
        assertEquals(List.of("refusing hello from b at " + PEER + ": protocol version 9, this node speaks 1"), messages());
    }

    @Test
    void aForgeryIsNotAnswered() {
        refusals.reject(ctx, ELSEWHERE, new HelloCheck.Rejected(SetupDrop.HELLO_BAD_SIGNATURE, "bad signature", false));
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_BAD_SIGNATURE));
        assertEquals("bad signature", link.snapshot().reason());
        assertTrue(wire.drain().isEmpty());
    }

    @Test
    void refusalsAreLoggedOncePerIntervalSayingHowManyWereLeftOut() {
        HelloCheck.Rejected replay = new HelloCheck.Rejected(SetupDrop.HELLO_REPLAY, "replayed hello", false);
        for (int i = 0; i < 5; i++) {
            refusals.reject(ctx, ELSEWHERE, replay);
            now.addAndGet(SECOND);
        }
        now.addAndGet(Refusals.LOG_INTERVAL.toNanos());
        refusals.reject(ctx, ELSEWHERE, replay);
        assertEquals(6, ctx.counters().drops(SetupDrop.HELLO_REPLAY), "the counters have every refusal");
        assertEquals(List.of("refusing hello from b at " + ELSEWHERE + ": replayed hello",
                "refusing hello from b at " + ELSEWHERE + ": replayed hello"
                        + " (4 more refused since the last line, see link_setup counters)"), messages());
    }

    @Test
    void aSecureLinkWithoutCertificateIsRefusedSayingWhichSideLacksOne() {
        refusals.cannotSecure(ctx, new SecurityDecision(true, "mode:always"), PEER);
        String why = "link must be secure (mode:always) but this node has no certificate";
        assertEquals(List.of(new RecordingUnderlay.Sent(new ConRej("a", why), PEER)), wire.drain());
        assertEquals(why, link.snapshot().reason());
    }

    @Test
    void aConRejCountsOnlyFromThePeersAddressAndIsLoggedOnce() {
        refusals.refusedByPeer(ctx, new ConRej("b", "no certificate"), ELSEWHERE, PEER);
        assertEquals(1, ctx.counters().drops(SetupDrop.WRONG_ADDRESS));
        assertEquals("starting", link.snapshot().reason(), "unauthenticated, from elsewhere: changes nothing");
        refusals.refusedByPeer(ctx, new ConRej("b", "no certificate"), PEER, PEER);
        refusals.refusedByPeer(ctx, new ConRej("b", "no certificate"), PEER, PEER);
        assertEquals("peer refused the link: no certificate", link.snapshot().reason());
        assertEquals(List.of("link to b: peer refused the link: no certificate"), messages());
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static LinkContext context(RecordingUnderlay wire) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        LinkSettings timers = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2));
        return new LinkContext(SELF, timers, security, Optional.empty(), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.empty()), null, null, new DataplaneCounters(), Runnable::run);
    }
}
