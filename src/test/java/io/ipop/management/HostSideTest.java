package io.ipop.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.underlay.Endpoint;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The local side of a link's candidate pair in /overlay/links when no reflexive endpoint is known. */
class HostSideTest {
    private static final Endpoint PEER = Endpoint.parse("127.0.0.1:5801");

    @Test
    void aBoundAddressIsItsOwnSide() {
        Endpoint bound = Endpoint.parse("127.0.0.1:5800");
        assertEquals(bound, Views.hostSide(bound, PEER));
    }

    @Test
    void aWildcardBindShowsTheSourceAddressRoutedTowardThePeer() throws Exception {
        Endpoint expected = Endpoint.parse("127.0.0.1:5800");
        assertEquals(expected, Views.hostSide(Endpoint.of(InetAddress.getByName("0.0.0.0"), 5800), PEER));
        assertEquals(expected, Views.hostSide(Endpoint.of(InetAddress.getByName("::"), 5800), PEER),
                "a dual-stack wildcard, as the JDK reports a socket bound to 0.0.0.0");
    }
}
