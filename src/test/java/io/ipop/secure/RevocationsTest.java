package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revoked list, and the re-verification of a certificate a live link was set up with. */
class RevocationsTest {

    @Test
    void fingerprintsAreNormalizedAndAnythingElseIsRefused() {
        String hex = "ab".repeat(32);
        assertEquals(hex, Revocations.normalized(" SHA256:" + hex.toUpperCase() + " "));
        assertThrows(IllegalArgumentException.class, () -> Revocations.normalized(hex.substring(2)));
        assertThrows(IllegalArgumentException.class, () -> Revocations.normalized("zz".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> Revocations.normalized(hex + ":" + hex));
    }

    @Test
    void aCertificateStandsUntilRevokedExpiredOrNoLongerFromTheCa(@TempDir Path dir) throws Exception {
        OverlayCa.init(dir.resolve("pki"), false);
        OverlayCa.init(dir.resolve("new"), false);                  // same CA name, new key: the CA was replaced
        X509Certificate ca = OverlayCa.readCaCertificate(dir.resolve("pki/ca.crt"));
        X509Certificate other = OverlayCa.readCaCertificate(dir.resolve("new/ca.crt"));
        X509Certificate b = OverlayCa.sign(dir.resolve("pki"), "b", OverlayAddress.parse("10.77.0.2/24", true),
                List.of("blue"), Duration.ofMinutes(5), false).identity().certificate();
        String fp = PeerCertificates.fingerprint(b);
        Instant now = Instant.now();

        assertEquals(Optional.empty(), Revocations.NONE.recheck(ca, b, now));

        Optional<String> revoked = Revocations.of(List.of(fp)).recheck(ca, b, now);
        assertTrue(revoked.orElseThrow().startsWith("revoked: certificate of b (sha256 " + fp + ")"), revoked.get());

        Optional<String> expired = Revocations.NONE.recheck(ca, b, now.plus(Duration.ofMinutes(6)));
        assertTrue(expired.orElseThrow().contains("expired"), expired.get());

        Optional<String> untrusted = Revocations.NONE.recheck(other, b, now);
        assertTrue(untrusted.orElseThrow().contains("not issued by this overlay's CA"), untrusted.get());
    }
}
