package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.SecuritySettings;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.Pem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipop.security.revoked, reverify-interval and rekey-after: parsed, bounded, and a node never revokes itself. */
class RevocationSettingsTest {
    @TempDir
    static Path dir;
    private static String ownFingerprint;
    private static String bFingerprint;

    @BeforeAll
    static void pki() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
        ownFingerprint = PeerCertificates.fingerprint(Pem.readCertificate(dir.resolve("a.crt")));
        bFingerprint = PeerCertificates.fingerprint(Pem.readCertificate(dir.resolve("b.crt")));
    }

    private static NodeSettings parse(String security) {
        return NodeSettings.fromUser(ConfigFactory.parseString("""
                ipop {
                  node.name = "a"
                  tap { name = "ipop0", address = "10.77.0.1/24" }
                  peers = [ { name = "b", endpoint = "192.0.2.2:5800" } ]
                  groups = [ "blue" ]
                  security { ca = "%s", cert = "%s", key = "%s" }
                  security { %s }
                }
                """.formatted(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"), security)));
    }

    @Test
    void defaultsAreNoRevocationHourlyReverificationAndTwoMinuteRekeys() {
        SecuritySettings s = parse("").security();
        assertTrue(s.revoked().isEmpty());
        assertEquals(Duration.ofHours(1), s.reverifyInterval());
        assertEquals(Duration.ofMinutes(2), s.rekeyAfter());
    }

    @Test
    void revokedFingerprintsAreReadInEitherCaseAndWithTheSha256Prefix() {
        SecuritySettings s = parse("revoked = [ \"sha256:" + bFingerprint.toUpperCase() + "\" ]").security();
        assertTrue(s.revoked().isRevoked(bFingerprint));
        assertEquals(1, s.revoked().fingerprints().size());
    }

    @Test
    void aMalformedFingerprintNamesItsIndex() {
        ConfigProblem p = assertThrows(ConfigProblem.class,
                () -> parse("revoked = [ \"" + bFingerprint + "\", \"abc\" ]"));
        assertEquals("ipop.security.revoked[1]", p.path());
    }

    @Test
    void aNodeWhoseOwnCertificateIsRevokedRefusesToStartNamingTheKey() {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse("revoked = [ \"" + ownFingerprint + "\" ]"));
        assertEquals("ipop.security.revoked", p.path());
        assertTrue(p.getMessage().contains("own certificate"), p.getMessage());
        assertTrue(p.getMessage().contains(ownFingerprint), p.getMessage());
    }

    @Test
    void reverificationAtMostHourlyAndRekeysAtMostEverySecond() {
        assertEquals("ipop.security.reverify-interval",
                assertThrows(ConfigProblem.class, () -> parse("reverify-interval = 2h")).path());
        assertEquals("ipop.security.rekey-after",
                assertThrows(ConfigProblem.class, () -> parse("rekey-after = 500ms")).path());
        assertEquals(Duration.ofSeconds(5), parse("rekey-after = 5s, reverify-interval = 2s").security().rekeyAfter());
    }
}
