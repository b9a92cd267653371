package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerCertificatesTest {
    private static final OverlayAddress A = OverlayAddress.parse("10.77.0.1/24", true);

    @TempDir
    Path tmp;
    private X509Certificate ca;
    private PrivateKey caKey;

    @BeforeEach
    void createCa() throws Exception {
        OverlayCa.init(tmp, false);
        ca = OverlayCa.readCaCertificate(tmp.resolve("ca.crt"));
        caKey = Pem.readPrivateKey(tmp.resolve("ca.key"));
    }

    private String reject(byte[] der, Instant now) {
        return assertThrows(PkiException.class, () -> PeerCertificates.verify(ca, der, now)).getMessage();
    }

    @Test
    void rejectsCertificateOfAnotherCa() throws Exception {
        Path other = tmp.resolve("other");
        OverlayCa.init(other, false);
        IssuedCertificate foreign = OverlayCa.sign(other, "a", A, List.of(), Duration.ofDays(1), false);

        String message = reject(foreign.identity().certificate().getEncoded(), Instant.now());
        assertTrue(message.startsWith("certificate not issued by this overlay's CA"), message);
    }

    @Test
    void rejectsExpiredAndNotYetValid() throws Exception {
        IssuedCertificate issued = OverlayCa.sign(tmp, "a", A, List.of(), Duration.ofSeconds(5), false);
        byte[] der = issued.identity().certificate().getEncoded();

        assertEquals("certificate expired on " + issued.notAfter(), reject(der, Instant.now().plus(Duration.ofDays(1))));
        assertTrue(reject(der, Instant.now().minus(Duration.ofHours(2))).startsWith("certificate not valid before "));
    }

    @Test
    void rejectsGarbageEmptyOversizedAndTrailingBytes() throws Exception {
        byte[] der = OverlayCa.sign(tmp, "a", A, List.of(), Duration.ofDays(1), false).identity().certificate().getEncoded();
        Instant now = Instant.now();

        assertTrue(reject("hello".getBytes(), now).startsWith("certificate is not a DER X.509 certificate"));
        assertTrue(reject(new byte[0], now).startsWith("certificate is"));
        assertTrue(reject(Arrays.copyOf(der, der.length - 1), now).startsWith("certificate is not a DER X.509 certificate"));
        assertTrue(reject(Arrays.copyOf(der, der.length + 1), now).startsWith("certificate is not a DER X.509 certificate"));
        assertEquals("certificate too large (4097 bytes, at most 4096)", reject(new byte[4097], now));
        byte[] flipped = der.clone();
        flipped[flipped.length - 3] ^= 1; // inside the signature
        assertTrue(reject(flipped, now).startsWith("certificate"));
    }

    @Test
    void rejectsTheCaCertificateItself() throws Exception {
        assertEquals("certificate is a CA certificate, not a node certificate", reject(ca.getEncoded(), Instant.now()));
    }

    @Test
    void rejectsCertificateWithoutGroupsExtension() throws Exception {
        byte[] der = craft(b -> b);
        assertEquals("certificate has no ipop-node groups extension", reject(der, Instant.now()));
    }

    @Test
    void rejectsAddressDifferentFromGroupsExtension() throws Exception {
        GroupsExtension groups = new GroupsExtension(OverlayAddress.parse("10.77.0.2/24", true), List.of("red"));
        byte[] der = craft(b -> add(b, groups.toExtension()));
        String message = reject(der, Instant.now());
        assertTrue(message.contains("10.77.0.1 differs from the address in its groups extension 10.77.0.2/24"), message);
    }

    @Test
    void acceptsCraftedCertificateWithAllParts() throws Exception {
        byte[] der = craft(b -> add(b, new GroupsExtension(A, List.of("red")).toExtension()));
        PeerIdentity id = PeerCertificates.verify(ca, der, Instant.now());
        assertEquals("crafted", id.name());
        assertEquals(List.of("red"), id.groups());
    }

    @Test
    void rejectsUnknownCriticalExtension() throws Exception {
        byte[] der = craft(b -> add(add(b, new GroupsExtension(A, List.of()).toExtension()),
                new Extension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.3.4"), true, new byte[] {5, 0})));
        assertEquals("certificate has an unsupported critical extension 1.2.3.4", reject(der, Instant.now()));
    }

    /** A node certificate signed by the CA with CN=crafted, SAN 10.77.0.1 and whatever {@code extra} adds. */
    private byte[] craft(UnaryOperator<X509v3CertificateBuilder> extra) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        PublicKey key = g.generateKeyPair().getPublic();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, BigInteger.TEN,
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), new X500Name("CN=crafted"), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "10.77.0.1")));
        return new JcaX509CertificateConverter()
                .getCertificate(extra.apply(b).build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)))
                .getEncoded();
    }

    private static X509v3CertificateBuilder add(X509v3CertificateBuilder b, Extension e) {
        try {
            return b.addExtension(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
