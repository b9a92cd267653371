package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.Revocations;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A revoked certificate: its hellos are refused (and the peer told why), and a live link's re-check fails. */
class HelloCheckRevokedTest {
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;
    private static final LocalNode SELF = node("a", "10.77.0.1/24");
    private static final LocalNode B = node("b", "10.77.0.2/24");

    @BeforeAll
    static void pki() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", SELF.address(), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", B.address(), List.of("blue"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"));
        b = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("b.crt"), dir.resolve("b.key"));
    }

    @Test
    void aHelloWithARevokedCertificateIsRefusedCountedAndThePeerIsTold() throws Exception {
        String fp = PeerCertificates.fingerprint(b.certificate());
        HelloCheck check = check().withRevocations(Revocations.of(List.of(fp)));
        HelloCheck.Rejected r = assertInstanceOf(HelloCheck.Rejected.class,
                check.check(new Hellos(B, Optional.of(b)).request(PeerId.of("a"), 7, null)));
        assertEquals(SetupDrop.HELLO_REVOKED, r.counter());
        assertTrue(r.tellPeer());
        assertTrue(r.reason().contains(fp), r.reason());
        assertEquals("revoked", SetupDrop.HELLO_REVOKED.counter());
    }

    @Test
    void theSameHelloPassesWithoutTheListAndTheListSurvivesAReconfiguredCheck() throws Exception {
        assertInstanceOf(HelloCheck.Accepted.class, check().check(new Hellos(B, Optional.of(b)).request(PeerId.of("a"), 7, null)));
        Revocations list = Revocations.of(List.of(PeerCertificates.fingerprint(b.certificate())));
        HelloCheck revoking = check().withRevocations(list);
        assertEquals(list, revoking.revocations());
    }

    @Test
    void recheckOfALiveLinksPeerSaysWhyItNoLongerStands() throws Exception {
        PeerIdentity peer = PeerCertificates.describe(b.certificate());
        assertEquals(Optional.empty(), check().recheck(peer));
        Optional<String> why = check().withRevocations(Revocations.of(List.of(peer.fingerprint()))).recheck(peer);
        assertTrue(why.orElseThrow().startsWith("revoked: certificate of b"), why.get());
        HelloCheck later = new HelloCheck(SELF, Optional.of(a), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 100), Clock.offset(Clock.systemUTC(), Duration.ofDays(3)));
        assertTrue(later.recheck(peer).orElseThrow().contains("expired"), later.recheck(peer).toString());
    }

    private static HelloCheck check() {
        return new HelloCheck(SELF, Optional.of(a), true, Duration.ofSeconds(60), new NonceCache(Duration.ofSeconds(120), 100),
                Clock.systemUTC());
    }

    private static LocalNode node(String name, String ip) {
        return new LocalNode(name, name + "-instance", OverlayAddress.parse(ip, true), MacAddress.derivedFrom(name),
                List.of("blue"), Endpoint.of(InetAddress.getLoopbackAddress(), 5800), Instant.now());
    }
}
