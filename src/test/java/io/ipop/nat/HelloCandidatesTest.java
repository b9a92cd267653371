package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Hellos;
import io.ipop.peer.LocalNode;
import io.ipop.secure.HelloSigning;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Candidates in con_req/con_resp: carried, signed, and invisible to the signature when absent. */
class HelloCandidatesTest {
    private static final LocalNode A = new LocalNode("a", "inst-a", OverlayAddress.parse("10.77.0.2/24", true),
            MacAddress.parse("02:00:00:00:00:0a"), List.of("blue"), Endpoint.parse("192.0.2.10:5800"), Instant.now());

    @TempDir
    Path dir;

    @Test
    void aHelloWithoutCandidatesSignsTheSameBytesAsBefore() {
        ConReq r = new ConReq(1, "a", "i", "10.77.0.2/24", "02:00:00:00:00:0a", List.of("blue"), "n", 7, 5, null,
                null, null, "b");
        assertEquals("ipop-hello/1\ncon_req\n1\na\ni\n10.77.0.2/24\n02:00:00:00:00:0a\nblue\nn\n7\n5\n-\n-\n-\nb",
                new String(HelloSigning.canonical(r), StandardCharsets.UTF_8));
        ConReq withCands = new ConReq(1, "a", "i", "10.77.0.2/24", "02:00:00:00:00:0a", List.of("blue"), "n", 7, 5, null,
                null, null, "b", List.of("198.51.100.2:5800", "192.0.2.10:5800"));
        assertTrue(new String(HelloSigning.canonical(withCands), StandardCharsets.UTF_8)
                .endsWith("\nb\ncands:198.51.100.2:5800,192.0.2.10:5800"));
    }

    @Test
    void candidatesAreSignedAndCarried() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", A.address(), A.groups(), Duration.ofDays(1), false);
        NodeIdentity id = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
        Hellos hellos = new Hellos(A, Optional.of(id), () -> List.of("198.51.100.2:5800", "192.0.2.10:5800"));
        ConReq req = hellos.request(PeerId.of("b"), 7, null);
        ControlCodec codec = new ControlCodec();
        byte[] frame = codec.encode(req);
        ConReq back = (ConReq) codec.decode(frame, 0, frame.length);
        assertEquals(List.of("198.51.100.2:5800", "192.0.2.10:5800"), back.cands());
        assertTrue(HelloSigning.verify(back, id.certificate().getPublicKey()));
        ConReq redirected = new ConReq(back.v(), back.node(), back.instance(), back.ip(), back.mac(), back.groups(),
                back.nonce(), back.index(), back.ts(), back.secure(), back.cert(), back.sig(), back.to(),
                List.of("203.0.113.66:5800"));
        assertFalse(HelloSigning.verify(redirected, id.certificate().getPublicKey()), "a changed candidate breaks the signature");
        assertTrue(HelloSigning.verify(hellos.reconfigured(A, Optional.of(id)).response(PeerId.of("b"), 7, "n", false),
                id.certificate().getPublicKey()));
        assertEquals(back.cands(), hellos.reconfigured(A, Optional.of(id)).response(PeerId.of("b"), 7, "n", false).cands());
    }

    /**
     * A request for birthday probing (docs/nat.md) is signed: nobody on the path can add it to a hello to make the
     * receiver send hundreds of guesses, or strip it; a hello without it signs the same bytes as before.
     */
    @Test
    void theBirthdayRequestIsSignedAndCarried() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", A.address(), A.groups(), Duration.ofDays(1), false);
        NodeIdentity id = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
        Hellos hellos = new Hellos(A, Optional.of(id), () -> List.of("198.51.102.2:40000"));
        ControlCodec codec = new ControlCodec();
        byte[] frame = codec.encode(hellos.request(PeerId.of("b"), 7, null, true));
        assertTrue(new String(frame, StandardCharsets.UTF_8).contains("\"birthday\":true"));
        ConReq asks = (ConReq) codec.decode(frame, 0, frame.length);
        assertTrue(asks.asksBirthday());
        assertTrue(HelloSigning.verify(asks, id.certificate().getPublicKey()));
        assertTrue(new String(HelloSigning.canonical(asks), StandardCharsets.UTF_8).endsWith("\nbirthday:true"));
        ConReq stripped = new ConReq(asks.v(), asks.node(), asks.instance(), asks.ip(), asks.mac(), asks.groups(),
                asks.nonce(), asks.index(), asks.ts(), asks.secure(), asks.cert(), asks.sig(), asks.to(), asks.cands());
        assertFalse(HelloSigning.verify(stripped, id.certificate().getPublicKey()), "stripping it breaks the signature");

        byte[] plain = codec.encode(hellos.request(PeerId.of("b"), 7, null));
        assertFalse(new String(plain, StandardCharsets.UTF_8).contains("birthday"), "absent unless asked");
        ConReq back = (ConReq) codec.decode(plain, 0, plain.length);
        ConReq added = new ConReq(back.v(), back.node(), back.instance(), back.ip(), back.mac(), back.groups(),
                back.nonce(), back.index(), back.ts(), back.secure(), back.cert(), back.sig(), back.to(), back.cands(), true);
        assertFalse(HelloSigning.verify(added, id.certificate().getPublicKey()), "adding it breaks the signature");
        assertTrue(HelloSigning.verify(back, id.certificate().getPublicKey()));
    }

    @Test
    void anUnsignedHelloProbingACandidateThatIsAnotherNodeIsRefusedThere() {
        // a probes c's candidate, which turns out to be b: b must not take it as a new setup of its link to a
        LocalNode b = new LocalNode("b", "inst-b", OverlayAddress.parse("10.77.0.3/24", true),
                MacAddress.parse("02:00:00:00:00:0b"), List.of(), Endpoint.parse("192.0.2.2:5800"), Instant.now());
        HelloCheck atB = new HelloCheck(b, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 100), Clock.systemUTC());
        Hellos fromA = new Hellos(A, Optional.empty());
        HelloCheck.Rejected r = assertInstanceOf(HelloCheck.Rejected.class, atB.check(fromA.request(PeerId.of("c"), 9, null)));
        assertEquals(SetupDrop.HELLO_MISADDRESSED, r.counter());
        assertInstanceOf(HelloCheck.Accepted.class, atB.check(fromA.request(PeerId.of("b"), 9, null)));
    }

    @Test
    void noCandidatesMeansTheFieldIsAbsent() throws Exception {
        ConReq req = new Hellos(A, Optional.empty(), List::of).request(PeerId.of("b"), 7, null);
        assertNull(req.cands());
        byte[] frame = new ControlCodec().encode(req);
        assertFalse(new String(frame, StandardCharsets.UTF_8).contains("cands"));
        assertEquals(req, new ControlCodec().decode(frame, 0, frame.length));
        assertTrue(ControlMessage.PROTOCOL_VERSION == req.v());
    }
}
