package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The management API is open only on loopback; anywhere else it needs a token. */
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
    void offLoopbackWithTokenIsFine() {
        ManagementSettings m = parse("pekko.management.http.hostname = \"0.0.0.0\"\nipop.management.token = \"" + TOKEN + "\"")
                .management();
        assertEquals(TOKEN, m.token());
        assertTrue(m.requiresToken());
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
