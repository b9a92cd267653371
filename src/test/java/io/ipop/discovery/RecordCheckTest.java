package io.ipop.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing and checking peer records: each forgery is refused under its own counter, once. */
class RecordCheckTest {
    @TempDir
    static Path dir;
    private static NodeIdentity b;
    private static NodeIdentity x;
    private static NodeIdentity otherCaB;

    private final RecordCounters counters = new RecordCounters();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private final MemberCertificates tls = new MemberCertificates();

    @BeforeAll
    static void issue() throws Exception {
        b = node(dir.resolve("pki"), "b", 2);
        x = node(dir.resolve("pki"), "x", 9);
        otherCaB = node(dir.resolve("other-pki"), "b", 2);
    }

    private static NodeIdentity node(Path pki, String name, int host) throws Exception {
        if (!pki.resolve(OverlayCa.CA_CERTIFICATE).toFile().exists()) {
            OverlayCa.init(pki, false);
        }
        OverlayCa.sign(pki, name, OverlayAddress.parse("10.77.0." + host + "/24", true), List.of("blue"), Duration.ofDays(1), false);
        return NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
    }

    private static PeerRecord unsigned(String name, int host, String endpoint, int memberHost) {
        return new PeerRecord(name, "i1", OverlayAddress.parse("10.77.0." + host + "/24", true),
                MacAddress.parse("02:00:00:00:00:0" + host), List.of(Endpoint.parse(endpoint)), List.of("blue"), null,
                "pekko://ipop@192.0.2." + memberHost + ":17355#7", null);
    }

    private static final PeerRecord B = unsigned("b", 2, "192.0.2.2:5800", 2);

    private RecordCheck check(boolean withTls) {
        return new RecordCheck(Optional.of(b.ca()), withTls ? Optional.of(tls) : Optional.empty(), counters, now::get);
    }

    private Map<String, PeerRecord> accepted(RecordCheck check, PeerRecord r) {
        return check.accepted(Map.of(r.name(), r), "a");
    }

    private void assertRefused(RecordRefusal reason, PeerRecord r) {
        RecordCheck check = check(false);
        assertEquals(Map.of(), accepted(check, r), reason + " accepted");
        assertEquals(1, counters.refused(reason), reason + " counted");
        accepted(check, r);
        assertEquals(1, counters.refused(reason), reason + " counted once however often gossiped");
    }

    @Test
    void aRecordSignedByItsOwnCertificateIsAccepted() {
        PeerRecord signed = RecordSignature.sign(B, b);
        assertEquals(Map.of("b", signed), accepted(check(false), signed));
        assertEquals(Map.of(), Map.copyOf(counters.snapshot()).entrySet().stream().filter(e -> e.getValue() > 0)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Test
    void aTamperedFieldBreaksTheSignature() {
        PeerRecord signed = RecordSignature.sign(B, b);
        PeerRecord moved = new PeerRecord("b", signed.instance(), signed.address(), signed.mac(),
                List.of(Endpoint.parse("198.51.100.66:5800")), signed.groups(), signed.certificate(), signed.member(),
                signed.signature());
        assertRefused(RecordRefusal.BAD_SIGNATURE, moved);
    }

    @Test
    void aRecordMovedToAnotherMemberBreaksTheSignature() {
        PeerRecord signed = RecordSignature.sign(B, b);
        PeerRecord moved = new PeerRecord("b", signed.instance(), signed.address(), signed.mac(), signed.endpoints(),
                signed.groups(), signed.certificate(), "pekko://ipop@192.0.2.9:17355#9", signed.signature());
        assertRefused(RecordRefusal.BAD_SIGNATURE, moved);
    }

    @Test
    void anInsiderSigningARecordInAnotherNodesNameIsAnIdentityMismatch() {
        assertRefused(RecordRefusal.IDENTITY_MISMATCH, RecordSignature.sign(unsigned("b", 2, "192.0.2.9:5800", 9), x));
    }

    @Test
    void aRecordWhoseAddressOrGroupsDifferFromItsCertificateIsAnIdentityMismatch() {
        PeerRecord otherAddress = unsigned("x", 3, "192.0.2.9:5800", 9);     // x's certificate binds 10.77.0.9
        assertRefused(RecordRefusal.IDENTITY_MISMATCH, RecordSignature.sign(otherAddress, x));
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() {
        assertRefused(RecordRefusal.BAD_CERTIFICATE, RecordSignature.sign(B, otherCaB));
    }

    @Test
    void anExpiredCertificateIsRefusedAlsoAfterTheRecordWasAccepted() {
        PeerRecord signed = RecordSignature.sign(B, b);
        RecordCheck check = check(false);
        assertEquals(1, accepted(check, signed).size());
        now.set(Instant.now().plus(Duration.ofDays(2)));
        assertEquals(Map.of(), accepted(check, signed), "expired since it was accepted");
        assertEquals(1, counters.refused(RecordRefusal.BAD_CERTIFICATE));
        assertEquals(Map.of(), accepted(check(false), signed), "expired when first seen");
        assertEquals(2, counters.refused(RecordRefusal.BAD_CERTIFICATE));
    }

    @Test
    void unsignedRecordsAreRefusedByANodeThatHoldsTheCaAndTakenByOneWithout() {
        assertRefused(RecordRefusal.UNSIGNED, B);
        RecordCheck plain = new RecordCheck(Optional.empty(), Optional.empty(), counters, now::get);
        assertEquals(Map.of("b", B), accepted(plain, B), "a plain cluster cannot check anything");
    }

    @Test
    void aRecordFiledUnderAnotherNameIsRefused() {
        PeerRecord signed = RecordSignature.sign(B, b);
        assertEquals(Map.of(), check(false).accepted(Map.of("c", signed), "a"));
        assertEquals(1, counters.refused(RecordRefusal.MISFILED));
    }

    @Test
    void withClusterTlsARecordWaitsForItsMembersCertificateAndMustCarryItsName() {
        RecordCheck check = check(true);
        PeerRecord signed = RecordSignature.sign(B, b);
        assertEquals(Map.of(), accepted(check, signed), "no TLS connection to its member yet");
        assertEquals(java.util.Set.of(signed.member()), check.pendingMembers());
        assertEquals(1, counters.pending());
        tls.presented("192.0.2.2", 17355, "b");
        assertEquals(Map.of("b", signed), accepted(check, signed));
        assertTrue(check.pendingMembers().isEmpty());

        // x signs its own record but names b's member: it would count while b is up, after x left
        PeerRecord borrowed = RecordSignature.sign(unsigned("x", 9, "192.0.2.9:5800", 2), x);
        assertEquals(Map.of(), accepted(check, borrowed));
        assertEquals(1, counters.refused(RecordRefusal.WRONG_MEMBER));

        // records x writes in other names at its own member fail on the binding, before any certificate is parsed
        tls.presented("192.0.2.9", 17355, "x");
        PeerRecord garbage = new PeerRecord("f1", "i1", B.address(), B.mac(), B.endpoints(), B.groups(), "bm90IGEgY2VydA==",
                "pekko://ipop@192.0.2.9:17355#7", "c2ln");
        assertEquals(Map.of(), check.accepted(Map.of("f1", garbage), "a"));
        assertEquals(2, counters.refused(RecordRefusal.WRONG_MEMBER));
        assertEquals(0, counters.refused(RecordRefusal.BAD_CERTIFICATE));

        // in b's name at b's member, the binding passes and the certificate's name does not
        PeerRecord forged = RecordSignature.sign(B, x);
        assertEquals(Map.of(), accepted(check, forged));
        assertEquals(1, counters.refused(RecordRefusal.IDENTITY_MISMATCH));
    }
}
