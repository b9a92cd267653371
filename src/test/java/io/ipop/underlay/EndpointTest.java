package io.ipop.underlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    @Test
    void parsesIpv4HostAndPort() throws Exception {
        Endpoint e = Endpoint.parse("192.0.2.2:5800");

        assertEquals(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 2}), e.address().getAddress());
        assertEquals(5800, e.address().getPort());
        assertEquals("192.0.2.2:5800", e.toString());
    }

    @Test
    void parsesBracketedIpv6AndPrintsItBracketed() throws Exception {
        Endpoint e = Endpoint.parse("[2001:db8::1]:5800");

        assertEquals(InetAddress.getByName("2001:db8:0:0:0:0:0:1"), e.address().getAddress());
        assertEquals(5800, e.address().getPort());
        assertEquals(e, Endpoint.parse(e.toString()), "toString parses back");
    }

    @Test
    void portBoundsAreAccepted() {
        assertEquals(1, Endpoint.parse("192.0.2.2:1").address().getPort());
        assertEquals(65535, Endpoint.parse("192.0.2.2:65535").address().getPort());
    }

    @Test
    void equalTextGivesEqualEndpoints() {
        assertEquals(Endpoint.parse("192.0.2.2:5800"), Endpoint.parse(" 192.0.2.2:5800 "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.2", "192.0.2.2:", ":5800", "192.0.2.2:0", "192.0.2.2:65536", "192.0.2.2:-1",
            "192.0.2.2:http", "192.0.2.2:58 00", "[2001:db8::1]", "[2001:db8::1]:", ""})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text));
    }

    @Test
    void rejectsASignedPort() {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.2:+80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2:5800", "2001:db8::1:80"})
    void rejectsShorthandAndUnbracketedAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text));
    }

    @Test
    void refusesAnUnresolvedAddress() {
        assertThrows(IllegalArgumentException.class,
                () -> new Endpoint(InetSocketAddress.createUnresolved("example.invalid", 5800)));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(null));
    }
}
