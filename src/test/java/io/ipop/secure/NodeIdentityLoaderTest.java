package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityLoaderTest {
    @TempDir
    Path pki;

    @BeforeEach
    void issue() throws Exception {
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("red", "blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of(), Duration.ofDays(1), false);
    }

    @Test
    void loadsAMatchingSet() throws Exception {
        NodeIdentity id = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));

        assertEquals("a", id.name());
        assertEquals(OverlayAddress.parse("10.77.0.1/24", true), id.address());
        assertEquals(List.of("blue", "red"), id.groups());
        assertEquals(Pem.readCertificate(pki.resolve("ca.crt")), id.ca());
        assertEquals(Pem.readCertificate(pki.resolve("a.crt")), id.certificate());
        assertEquals(Pem.readPrivateKey(pki.resolve("a.key")), id.privateKey());
    }

    @Test
    void rejectsTheKeyOfAnotherNode() {
        PkiException e = assertThrows(PkiException.class,
                () -> NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("b.key")));
        assertEquals(pki.resolve("b.key") + " is not the private key of " + pki.resolve("a.crt"), e.getMessage());
    }

    @Test
    void rejectsTheCaKeyAndANodeCertificateAsCa() {
        assertThrows(PkiException.class,
                () -> NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("ca.key")));
        PkiException e = assertThrows(PkiException.class,
                () -> NodeIdentityLoader.load(pki.resolve("b.crt"), pki.resolve("a.crt"), pki.resolve("a.key")));
        assertEquals(pki.resolve("b.crt") + ": not a CA certificate", e.getMessage());
    }

    @Test
    void rejectsCertificateFromAnotherCa() throws Exception {
        Path other = pki.resolve("other");
        OverlayCa.init(other, false);
        PkiException e = assertThrows(PkiException.class,
                () -> NodeIdentityLoader.load(other.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key")));
        assertTrue(e.getMessage().startsWith(pki.resolve("a.crt") + ": certificate not issued by this overlay's CA"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path missing = pki.resolve("c.crt");
        PkiException e = assertThrows(PkiException.class,
                () -> NodeIdentityLoader.load(pki.resolve("ca.crt"), missing, pki.resolve("a.key")));
        assertEquals(missing + ": no such file", e.getMessage());
    }
}
