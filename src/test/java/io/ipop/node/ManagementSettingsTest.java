package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The management API is open only on loopback; anywhere else it needs a token, and HTTPS or an explicit tls.mode = off. */
class ManagementSettingsTest {
    private static final String BASE = "ipop { node.name = a, tap.address = \"10.77.0.1/24\" }\n";
    private static final String TOKEN = "0123456789abcdef0123";

    private static NodeSettings parse(String extra) {
        return NodeSettings.fromUser(ConfigFactory.parseString(BASE + extra));
    }

    @Test
    void loopbackNeedsNoToken() {
        ManagementSettings m = parse("").management();
        assertEquals(new ManagementSettings("127.0.0.1", 8558), m);
        assertFalse(m.requiresToken());
    }

    @Test
    void offLoopbackWithoutTokenIsAConfigErrorNamingTheTokenKey() {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse("pekko.management.http.hostname = \"192.0.2.1\""));
        assertEquals("ipop.management.token", p.path());
        assertTrue(p.getMessage().contains("pekko.management.http.hostname"), p.getMessage());
    }

    @Test
    void offLoopbackWithTokenNeedsHttpsOrSaysPlainOutright() {
        String offLoopback = "pekko.management.http.hostname = \"0.0.0.0\"\nipop.management.token = \"" + TOKEN + "\"\n";
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse(offLoopback));
        assertEquals("ipop.management.tls.cert", p.path());
        assertTrue(p.getMessage().contains("ipop.management.tls.mode = off"), p.getMessage());

        ManagementSettings m = parse(offLoopback + "ipop.management.tls.mode = off").management();
        assertEquals(TOKEN, m.token());
        assertTrue(m.requiresToken());
        assertEquals("http", m.scheme());
        assertTrue(m.plainOffLoopback(), "worth a WARN at start");
    }

    @Test
    void httpsUsesTheNodeCertificateOffLoopbackOrWhenAskedFor(@TempDir Path pki) throws Exception {
        String security = security(pki);
        ManagementSettings off = parse(security + "pekko.management.http.hostname = \"10.77.0.1\"\nipop.management.token = \""
                + TOKEN + "\"").management();
        assertEquals("https", off.scheme());
        assertEquals(Pem.readCertificate(pki.resolve("a.crt")), off.tls().orElseThrow().chain().get(0));
        assertFalse(off.plainOffLoopback());
        assertEquals("http", parse(security).management().scheme(), "auto: plain HTTP on loopback");
        assertEquals("https", parse(security + "ipop.management.tls.mode = on").management().scheme());
        assertEquals("ipop.management.tls.cert", assertThrows(ConfigProblem.class,
                () -> parse("ipop.management.tls.mode = on")).path(), "on without any certificate");
    }

    @Test
    void ownCertificateAndKeyFilesAreCheckedAndNamed(@TempDir Path pki) throws Exception {
        security(pki);
        OverlayCa.sign(pki, "other", OverlayAddress.parse("10.77.0.9/24", true), List.of(), Duration.ofDays(1), false);
        String tls = "ipop.management.tls { mode = on, cert = \"" + pki.resolve("a.crt") + "\", key = \"%s\" }\n";
        ManagementSettings m = parse(tls.formatted(pki.resolve("a.key"))).management();
        assertEquals(1, m.tls().orElseThrow().chain().size(), "a.crt alone: no chain after it");
        assertEquals("ipop.management.tls.cert", assertThrows(ConfigProblem.class,
                () -> parse(tls.formatted(pki.resolve("other.key")))).path(), "the key of another certificate");
        assertEquals("ipop.management.tls.key", assertThrows(ConfigProblem.class,
                () -> parse(tls.formatted(pki.resolve("a.crt")))).path(), "a certificate where the key belongs");
        assertEquals("ipop.management.tls.key", assertThrows(ConfigProblem.class,
                () -> parse("ipop.management.tls.cert = \"" + pki.resolve("a.crt") + "\"")).path(), "cert without key");
        assertEquals("ipop.management.tls.mode", assertThrows(ConfigProblem.class,
                () -> parse("ipop.management.tls.mode = yes")).path());
    }

    @Test
    void allowedHostsAreHostNamesWithoutPort() {
        assertEquals(List.of("node-a.example", "[2001:db8::1]", "192.0.2.1"),
                parse("ipop.management.allowed-hosts = [ \"Node-A.example\", \"[2001:db8::1]\", \"192.0.2.1\" ]")
                        .management().allowedHosts());
        for (String bad : List.of("node-a.example:8558", "http://node-a.example", "*.example", "2001:db8::1", "")) {
            assertEquals("ipop.management.allowed-hosts[1]", assertThrows(ConfigProblem.class,
                    () -> parse("ipop.management.allowed-hosts = [ \"ok.example\", \"" + bad + "\" ]")).path(), bad);
        }
    }

    /** A CA and node a's certificate in {@code pki}; the ipop.security lines that use them. */
    private static String security(Path pki) throws Exception {
        if (!Files.exists(pki.resolve("ca.crt"))) {
            OverlayCa.init(pki, false);
            OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of(), Duration.ofDays(1), false);
        }
        return "ipop.security { ca = \"%s\", cert = \"%s\", key = \"%s\" }\n"
                .formatted(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
    }

    @Test
    void aShortOrOddTokenIsRefused() {
        assertEquals("ipop.management.token",
                assertThrows(ConfigProblem.class, () -> parse("ipop.management.token = short")).path());
        assertEquals("ipop.management.token",
                assertThrows(ConfigProblem.class, () -> parse("ipop.management.token = \"has spaces in it, too long\"")).path());
    }

    @Test
    void theTokenMayComeFromASubstitutionSuchAsAnEnvironmentVariable() {
        assertEquals(TOKEN, parse("secrets.token = \"" + TOKEN + "\"\nipop.management.token = ${secrets.token}")
                .management().token());
        assertEquals("", parse("ipop.management.token = ${?IPOP_TEST_VARIABLE_THAT_IS_NOT_SET}").management().token(),
                "an unset optional variable leaves the default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"})
    void loopbackAddresses(String host) {
        assertTrue(ManagementSettings.isLoopback(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "192.0.2.1", "::", "node-a.example", "10.0.0.1"})
    void notLoopback(String host) {
        assertFalse(ManagementSettings.isLoopback(host), host);
    }
}
