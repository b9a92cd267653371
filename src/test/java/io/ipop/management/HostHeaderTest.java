package io.ipop.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Host header as {@link ApiGuard} reads it: parsing, which hosts pass, and the API's own origin. */
class HostHeaderTest {
    @ParameterizedTest
    @CsvSource({"127.0.0.1:8558, 127.0.0.1, 8558", "LocalHost, localhost, -1", "'[::1]:80', '[::1]', 80", "'[::1]', '[::1]', -1",
        "node-a.example, node-a.example, -1"})
    void parses(String value, String host, int port) {
        assertEquals(Optional.of(new HostHeader(host, port)), HostHeader.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a:b:c", "127.0.0.1:99999", "127.0.0.1:", "[::1", "[::1]x", "a b", "user@127.0.0.1", "::1"})
    void refusesWhatIsNoHostAndPort(String value) {
        assertEquals(Optional.empty(), HostHeader.parse(value), value);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1, true", "127.9.9.9, 127.0.0.1, true", "'[::1]', 127.0.0.1, true",
        "localhost, 127.0.0.1, true", "attacker.example, 127.0.0.1, false", "localhost.attacker.example, 127.0.0.1, false",
        "10.77.0.1, 10.77.0.1, true", "10.77.0.2, 10.77.0.1, false", "192.0.2.9, 0.0.0.0, true", "'[2001:db8::1]', ::, true",
        "node-a.example, 0.0.0.0, false", "allowed.example, 10.77.0.1, true", "'[::1]', ::1, true"})
    void allowsLoopbackTheBoundAddressAndTheAllowedNames(String host, String bound, boolean allowed) {
        assertEquals(allowed, HostHeader.parse(host).orElseThrow().allowed(bound, List.of("allowed.example")), host + " bound " + bound);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8558", "HTTP://127.0.0.1:8558"})
    void theApiOwnOrigin(String origin) {
        assertTrue(new HostHeader("127.0.0.1", 8558).isOriginOf(origin, "http"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "http://127.0.0.1:8000", "https://127.0.0.1:8558", "http://localhost:8558",
        "http://attacker.example", "file://", "not a url", ""})
    void anotherOrigin(String origin) {
        assertFalse(new HostHeader("127.0.0.1", 8558).isOriginOf(origin, "http"), origin);
    }

    @ParameterizedTest
    @CsvSource({"http, http://node-a.example, true", "https, https://node-a.example:443, true", "https, https://node-a.example:80, false"})
    void defaultPortsAreTheScheme(String scheme, String origin, boolean same) {
        assertEquals(same, new HostHeader("node-a.example", -1).isOriginOf(origin, scheme));
    }
}
