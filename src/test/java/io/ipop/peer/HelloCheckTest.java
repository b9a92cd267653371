package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.Drop;
import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.VerifiedCertificates;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
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

/** Signed link setup: what a node believes of a con_req, and what it refuses and why. */
class HelloCheckTest {
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;
    private static NodeIdentity foreignB;

    @BeforeAll
    static void pki() throws Exception {
        Path overlay = dir.resolve("pki");
        OverlayCa.init(overlay, false);
        OverlayCa.sign(overlay, "a", addr("10.77.0.1/24"), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(overlay, "b", addr("10.77.0.2/24"), List.of("blue"), Duration.ofDays(1), false);
        a = load(overlay, "a");
        b = load(overlay, "b");
        Path other = dir.resolve("other");
        OverlayCa.init(other, false);
        OverlayCa.sign(other, "b", addr("10.77.0.2/24"), List.of("blue"), Duration.ofDays(1), false);
        foreignB = load(other, "b");
    }

    @Test
    void acceptsAHelloSignedWithACertificateFromTheOverlayCa() {
        HelloCheck.Verdict v = checker(Clock.systemUTC(), true).check(hello(nodeB(List.of("blue"), "10.77.0.2/24"), b));
        HelloCheck.Accepted ok = assertInstanceOf(HelloCheck.Accepted.class, v);
        assertEquals("b", ok.identity().orElseThrow().name());
        assertEquals(List.of("blue"), ok.identity().orElseThrow().groups());
    }

    @Test
    void refusesGroupsThatDisagreeWithTheCertificate() {
        ConReq claimsMore = hello(nodeB(List.of("blue", "red"), "10.77.0.2/24"), b);   // signed, but lies
        assertRejected(SetupDrop.HELLO_IDENTITY_MISMATCH, checker(Clock.systemUTC(), true).check(claimsMore));
    }

    @Test
    void refusesAnOverlayAddressThatDisagreesWithTheCertificate() {
        ConReq otherIp = hello(nodeB(List.of("blue"), "10.77.0.7/24"), b);
        assertRejected(SetupDrop.HELLO_IDENTITY_MISMATCH, checker(Clock.systemUTC(), true).check(otherIp));
    }

    @Test
    void refusesAHelloTamperedWithAfterSigning() {
        ConReq signed = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        ConReq tampered = new ConReq(signed.v(), signed.node(), signed.instance(), signed.ip(), signed.mac(),
                signed.groups(), signed.nonce(), signed.index(), signed.ts(), true, signed.cert(), signed.sig(), signed.to());
        assertRejected(SetupDrop.HELLO_BAD_SIGNATURE, checker(Clock.systemUTC(), true).check(tampered));
    }

    @Test
    void refusesAGarbageSignature() {
        ConReq signed = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        assertRejected(SetupDrop.HELLO_BAD_SIGNATURE, checker(Clock.systemUTC(), true).check(signed.withSig("AAAA")));
    }

    @Test
    void refusesACertificateFromAnotherCa() {
        HelloCheck.Verdict v = checker(Clock.systemUTC(), true).check(hello(nodeB(List.of("blue"), "10.77.0.2/24"), foreignB));
        HelloCheck.Rejected r = assertRejected(SetupDrop.HELLO_BAD_CERTIFICATE, v);
        assertTrue(r.tellPeer(), "an honest but misconfigured peer hears why");
    }

    @Test
    void refusesAReplayedHello() {
        HelloCheck check = checker(Clock.systemUTC(), true);
        ConReq h = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        assertInstanceOf(HelloCheck.Accepted.class, check.check(h));
        HelloCheck.Rejected r = assertRejected(SetupDrop.HELLO_REPLAY, check.check(h));
        assertEquals(false, r.tellPeer());
    }

    @Test
    void refusesASignedHelloAddressedToAnotherNode() {
        ConReq forC = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.of(b)).request(PeerId.of("c"), 7, null);
        HelloCheck.Rejected r = assertRejected(SetupDrop.HELLO_MISADDRESSED, checker(Clock.systemUTC(), true).check(forC));
        assertTrue(r.reason().contains("\"c\""), r.reason());
        ConReq retargeted = forC.withSig(forC.sig());
        ConReq toA = new ConReq(retargeted.v(), retargeted.node(), retargeted.instance(), retargeted.ip(), retargeted.mac(),
                retargeted.groups(), "fresh-nonce", retargeted.index(), retargeted.ts(), retargeted.secure(),
                retargeted.cert(), retargeted.sig(), "a");
        assertRejected(SetupDrop.HELLO_BAD_SIGNATURE, checker(Clock.systemUTC(), true).check(toA));
    }

    @Test
    void refusesAStaleHello() {
        Clock twoMinutesAhead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2));
        assertRejected(SetupDrop.HELLO_STALE, checker(twoMinutesAhead, true).check(hello(nodeB(List.of("blue"), "10.77.0.2/24"), b)));
    }

    @Test
    void aNodeThatRequiresCertificatesRefusesAnUnsignedHelloAndSaysWhy() {
        ConReq unsigned = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.empty()).request(PeerId.of("a"), 7, null);
        HelloCheck.Rejected r = assertRejected(SetupDrop.HELLO_NO_CERTIFICATE, checker(Clock.systemUTC(), true).check(unsigned));
        assertTrue(r.tellPeer());
    }

    /** The attack of issue 14 part 1: an unsigned hello in a certified peer's name, to a node in mode never. */
    @Test
    void aNodeThatHoldsTheCaRefusesAnUnsignedHelloInEveryMode() {
        ConReq unsigned = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.empty()).request(PeerId.of("a"), 7, null);
        HelloCheck.Rejected r = assertRejected(SetupDrop.HELLO_NO_CERTIFICATE, checker(Clock.systemUTC(), false).check(unsigned));
        assertTrue(r.tellPeer());
    }

    @Test
    void aNodeWithoutTheCaAcceptsAnUnsignedHelloAsUnauthenticated() {
        ConReq unsigned = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.empty()).request(PeerId.of("a"), 7, null);
        HelloCheck.Accepted ok = assertInstanceOf(HelloCheck.Accepted.class, uncertified().check(unsigned));
        assertTrue(ok.identity().isEmpty(), "claimed groups are not believed without a certificate");
    }

    /** A captured hello re-sent first from an attacker's address: the genuine copy is no replay, but a repeat. */
    @Test
    void theSameHelloFromAnotherAddressIsARepeatNotAReplay() {
        HelloCheck check = checker(Clock.systemUTC(), true);
        ConReq h = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        Endpoint attacker = Endpoint.of(InetAddress.getLoopbackAddress(), 6666);
        Endpoint genuine = Endpoint.of(InetAddress.getLoopbackAddress(), 5801);
        assertEquals(false, assertInstanceOf(HelloCheck.Accepted.class, check.check(h, attacker)).repeat());
        assertEquals(true, assertInstanceOf(HelloCheck.Accepted.class, check.check(h, genuine)).repeat());
        assertRejected(SetupDrop.HELLO_REPLAY, check.check(h, genuine));
        assertRejected(SetupDrop.HELLO_REPLAY, check.check(h, attacker));
    }

    /** Cheap checks first: a stale, misaddressed or replayed hello costs no certificate or signature check. */
    @Test
    void cheapChecksComeBeforeTheCertificateAndCertificatesAreRemembered() {
        HelloCheck check = checker(Clock.systemUTC(), true);
        ConReq h = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        VerifiedCertificates certs = check.certificates().orElseThrow();
        ConReq stale = new ConReq(h.v(), h.node(), h.instance(), h.ip(), h.mac(), h.groups(), h.nonce(), h.index(),
                h.ts() - 600_000, h.secure(), h.cert(), h.sig(), h.to());
        assertRejected(SetupDrop.HELLO_STALE, check.check(stale));
        ConReq forC = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.of(b)).request(PeerId.of("c"), 7, null);
        assertRejected(SetupDrop.HELLO_MISADDRESSED, check.check(forC));
        assertInstanceOf(HelloCheck.Accepted.class, check.check(h));
        assertRejected(SetupDrop.HELLO_REPLAY, check.check(h));
        assertEquals(0, certs.hits(), "only the accepted hello reached the certificate check");
        ConReq next = hello(nodeB(List.of("blue"), "10.77.0.2/24"), b);
        assertInstanceOf(HelloCheck.Accepted.class, check.check(next));
        assertEquals(1, certs.hits(), "the second hello's certificate was remembered");
    }

    @Test
    void refusesAnotherProtocolVersionAndThisNodesOwnAddress() {
        ConReq h = new Hellos(nodeB(List.of("blue"), "10.77.0.2/24"), Optional.empty()).request(PeerId.of("a"), 7, null);
        ConReq v2 = new ConReq(2, h.node(), h.instance(), h.ip(), h.mac(), h.groups(), h.nonce(), h.index(), h.ts(),
                null, null, null);
        assertRejected(SetupDrop.HELLO_REFUSED, uncertified().check(v2));
        ConReq mine = new Hellos(nodeB(List.of(), "10.77.0.1/24"), Optional.empty()).request(PeerId.of("a"), 7, null);
        assertRejected(SetupDrop.HELLO_REFUSED, uncertified().check(mine));
    }

    private static HelloCheck.Rejected assertRejected(Drop counter, HelloCheck.Verdict v) {
        HelloCheck.Rejected r = assertInstanceOf(HelloCheck.Rejected.class, v);
        assertEquals(counter, r.counter(), r.reason());
        return r;
    }

    private static HelloCheck checker(Clock clock, boolean requireCertificates) {
        LocalNode self = node("a", "10.77.0.1/24", List.of("blue"));
        return new HelloCheck(self, Optional.of(a), requireCertificates, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 100), clock);
    }

    /** A node without the CA (mode never, no certificate). */
    private static HelloCheck uncertified() {
        return new HelloCheck(node("a", "10.77.0.1/24", List.of("blue")), Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 100), Clock.systemUTC());
    }

    private static ConReq hello(LocalNode sender, NodeIdentity signer) {
        return new Hellos(sender, Optional.of(signer)).request(PeerId.of("a"), 7, null);
    }

    private static LocalNode nodeB(List<String> groups, String ip) {
        return node("b", ip, groups);
    }

    private static LocalNode node(String name, String ip, List<String> groups) {
        return new LocalNode(name, name + "-instance", addr(ip), MacAddress.derivedFrom(name), groups,
                Endpoint.of(InetAddress.getLoopbackAddress(), 5800), Instant.now());
    }

    private static OverlayAddress addr(String s) {
        return OverlayAddress.parse(s, true);
    }

    private static NodeIdentity load(Path pki, String name) throws Exception {
        return NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
    }

}
