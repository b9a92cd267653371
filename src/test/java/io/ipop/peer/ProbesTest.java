package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a session's con_reqs go: direct probes on a relayed link, candidates from forwarded hellos, answers. */
class ProbesTest {
    private static final Endpoint CONFIGURED = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint DIRECT = Endpoint.parse("198.51.100.3:62000");
    private static final Endpoint RELAYED = Endpoint.parse("198.51.100.10:40001");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.1:5800"), Instant.now());

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final LinkContext ctx = context(wire);
    private final PeerLink link = PeerLink.connecting("b", Discovery.STATIC, 0x1234, CONFIGURED);
    private final Probes probes = new Probes(PeerId.of("b"), link, CONFIGURED, true);

    @Test
    void onARelayedLinkEveryFourthKeepaliveProbesTheDirectPaths() {
        probes.candidates().learn(List.of(DIRECT), RELAYED, "r");
        for (long seq = 1; seq <= 3; seq++) {
            probes.keepaliveSent(ctx, RELAYED, seq, false);
        }
        assertEquals(List.of(), wire.drain());
        probes.keepaliveSent(ctx, RELAYED, Probes.PROBE_EVERY, false);
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(List.of(DIRECT, CONFIGURED), sent.stream().map(RecordingUnderlay.Sent::to).toList());
        ConReq probe = assertInstanceOf(ConReq.class, sent.get(0).message());
        assertEquals(false, probe.secure());
        assertTrue(probes.sent(probe.nonce()), "an answer to the probe counts");
    }

    @Test
    void aDirectLinkIsNotProbedElsewhere() {
        probes.candidates().learn(List.of(DIRECT), RELAYED, "r");
        probes.keepaliveSent(ctx, DIRECT, Probes.PROBE_EVERY, false);
        assertEquals(List.of(), wire.drain());
    }

    @Test
    void aForwardedHelloThatVerifiesAddsItsCandidates() {
        ConReq forwarded = hello(null, List.of(DIRECT.toString()));
        assertInstanceOf(HelloCheck.Accepted.class, probes.signaled(ctx, forwarded));
        assertEquals(List.of(DIRECT), link.candidates());
        assertEquals(List.of(), wire.drain(), "nothing is sent: the session decides what to probe");
    }

    @Test
    void aForwardedHelloThatDoesNotVerifyIsCountedAndAddsNothing() {
        ConReq misaddressed = hello("c", List.of(DIRECT.toString()));
        assertInstanceOf(HelloCheck.Rejected.class, probes.signaled(ctx, misaddressed));
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_MISADDRESSED));
        assertEquals(List.of(), link.candidates());
        assertEquals(List.of(), wire.drain(), "no con_rej: the sender is at no address of ours yet");
    }

    @Test
    void anAnswerEchoesTheRequestAndStatesTheDecision() {
        probes.answer(ctx, "n-b", true, DIRECT);
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(1, sent.size());
        ConResp resp = assertInstanceOf(ConResp.class, sent.get(0).message());
        assertEquals(DIRECT, sent.get(0).to());
        assertEquals("n-b", resp.echo());
        assertEquals(true, resp.secure());
        assertEquals(0x1234, resp.index());
    }

    private static ConReq hello(String to, List<String> cands) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "fwd-b", 77, System.currentTimeMillis(), null, null, null, to, cands);
    }

    private static LinkContext context(RecordingUnderlay wire) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        LinkSettings timers = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(SELF, timers, security, Optional.empty(), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.empty()), check, null, new DataplaneCounters(), Runnable::run);
    }
}
