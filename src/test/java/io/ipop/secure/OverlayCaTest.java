package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayCaTest {
    private static final OverlayAddress A = OverlayAddress.parse("10.77.0.1/24", true);

    @TempDir
    Path tmp;

    static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void initWritesSelfSignedCaAndPrivateKey() throws Exception {
        Path dir = tmp.resolve("pki");
        OverlayCa.init(dir, false);

        assertEquals("rw-------", mode(dir.resolve("ca.key")));
        assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        X509Certificate ca = OverlayCa.readCaCertificate(dir.resolve("ca.crt"));
        assertEquals("CN=ipop-node overlay CA", ca.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        assertEquals(0, ca.getBasicConstraints());
        assertTrue(ca.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")));
        boolean[] usage = ca.getKeyUsage();
        assertTrue(usage[5] && usage[6] && !usage[0], "keyCertSign and cRLSign only");
        assertTrue(ca.getSerialNumber().signum() > 0 && ca.getSerialNumber().bitLength() <= 128);
        assertTrue(ca.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(3649))));
        assertTrue(ca.getNotBefore().toInstant().isBefore(Instant.now().minus(Duration.ofMinutes(59))));
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
    }

    @Test
    void initRefusesToReplaceWithoutForceAndReplacesWithIt() throws Exception {
        OverlayCa.init(tmp, false);
        byte[] before = Files.readAllBytes(tmp.resolve("ca.crt"));

        PkiException e = assertThrows(PkiException.class, () -> OverlayCa.init(tmp, false));
        assertEquals(tmp.resolve("ca.key") + " exists; use --force to replace it", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("ca.crt")));

        Files.delete(tmp.resolve("ca.key"));
        e = assertThrows(PkiException.class, () -> OverlayCa.init(tmp, false));
        assertEquals(tmp.resolve("ca.crt") + " exists; use --force to replace it", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ca.key")), "nothing written when refusing");

        OverlayCa.init(tmp, true);
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(tmp.resolve("ca.crt"))));
        assertEquals("rw-------", mode(tmp.resolve("ca.key")));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("ca.crt", "ca.key"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
    }

    @Test
    void signIssuesCertificateThatPeersAccept() throws Exception {
        OverlayCa.init(tmp, false);
        IssuedCertificate issued = OverlayCa.sign(tmp, "node-a", A, List.of("red", "blue", "red"), Duration.ofDays(30), false);

        assertEquals(tmp.resolve("node-a.crt"), issued.certificateFile());
        assertEquals(tmp.resolve("node-a.key"), issued.keyFile());
        assertEquals("rw-------", mode(issued.keyFile()));
        X509Certificate ca = OverlayCa.readCaCertificate(tmp.resolve("ca.crt"));
        X509Certificate cert = Pem.readCertificate(issued.certificateFile());
        PeerIdentity id = PeerCertificates.verify(ca, cert.getEncoded(), Instant.now());
        assertEquals("node-a", id.name());
        assertEquals(A, id.address());
        assertEquals(List.of("blue", "red"), id.groups());
        assertEquals(issued.identity().fingerprint(), id.fingerprint());
        assertEquals(64, id.fingerprint().length());
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getKeyUsage()[0]);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        assertFalse(cert.getCriticalExtensionOIDs().contains(GroupsExtension.OID.getId()));
        assertEquals(List.of(List.of(7, "10.77.0.1")), List.copyOf(cert.getSubjectAlternativeNames()));
        byte[] aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(cert.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifier();
        byte[] ski = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(ca.getExtensionValue("2.5.29.14")).getOctets()).getOctets();
        assertArrayEquals(ski, aki, "authority key identifier is the CA's subject key identifier");
        Instant expected = Instant.now().plus(Duration.ofDays(30));
        assertTrue(Duration.between(issued.notAfter(), expected).abs().compareTo(Duration.ofMinutes(1)) < 0);
    }

    @Test
    void signWithoutGroupsAndNeverOutlivingTheCa() throws Exception {
        OverlayCa.init(tmp, false);
        IssuedCertificate issued = OverlayCa.sign(tmp, "b", A, List.of(), Duration.ofDays(365 * 100), false);

        assertEquals(List.of(), issued.identity().groups());
        X509Certificate ca = Pem.readCertificate(tmp.resolve("ca.crt"));
        assertEquals(ca.getNotAfter(), issued.identity().certificate().getNotAfter());
    }

    @Test
    void signNeedsACa() {
        PkiException e = assertThrows(PkiException.class,
                () -> OverlayCa.sign(tmp, "a", A, List.of(), Duration.ofDays(1), false));
        assertEquals("no CA in " + tmp + ": run `ca init --dir " + tmp + "` first", e.getMessage());
    }

    @Test
    void signRefusesToReplaceWithoutForce() throws Exception {
        OverlayCa.init(tmp, false);
        IssuedCertificate first = OverlayCa.sign(tmp, "a", A, List.of(), Duration.ofDays(1), false);

        PkiException e = assertThrows(PkiException.class,
                () -> OverlayCa.sign(tmp, "a", A, List.of(), Duration.ofDays(1), false));
        assertEquals(tmp.resolve("a.key") + " exists; use --force to replace it", e.getMessage());

        IssuedCertificate second = OverlayCa.sign(tmp, "a", A, List.of("x"), Duration.ofDays(1), true);
        assertNotEquals(first.identity().fingerprint(), second.identity().fingerprint());
        assertEquals(second.identity().fingerprint(),
                PeerCertificates.fingerprint(Pem.readCertificate(tmp.resolve("a.crt"))));
    }

    @Test
    void signRejectsBadArgumentsBeforeTouchingFiles() throws Exception {
        OverlayCa.init(tmp, false);
        Duration day = Duration.ofDays(1);
        List<String> tooMany = IntStream.range(0, 65).mapToObj(i -> "g" + i).toList();

        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "-a", A, List.of(), day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "a/b", A, List.of(), day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "x".repeat(65), A, List.of(), day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "ca", A, List.of(), day, true));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "a", A, List.of("bl ue"), day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "a", A, List.of(""), day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "a", A, tooMany, day, false));
        assertThrows(IllegalArgumentException.class, () -> OverlayCa.sign(tmp, "a", A, List.of(), Duration.ZERO, false));
        assertThrows(IllegalArgumentException.class,
                () -> OverlayCa.sign(tmp, "a", OverlayAddress.parse("10.77.0.0/24", true), List.of(), day, false));
        assertThrows(IllegalArgumentException.class,
                () -> OverlayCa.sign(tmp, "a", OverlayAddress.parse("10.77.0.255/24", true), List.of(), day, false));
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count());
        }
        OverlayCa.sign(tmp, "a", A, Collections.nCopies(70, "same"), day, false); // 70 duplicates are one group
    }
}
