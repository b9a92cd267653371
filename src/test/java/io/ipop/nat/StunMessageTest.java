package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link StunMessage} against the RFC 5769 test vector and the shapes coturn and our own responder send. */
class StunMessageTest {
    /** RFC 5769 section 2.2: sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT). */
    private static final byte[] RFC5769_IPV4_RESPONSE = HexFormat.of().parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae"
                    + "8022000b" + "74657374" + "20766563" + "746f7220"
                    + "00200008" + "0001a147" + "e112a643"
                    + "00080014" + "2b91f599" + "fd9e90c3" + "8c7489f9" + "2af9ba53" + "f06be7d7"
                    + "80280004" + "c07d4c96");
    private static final byte[] TID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");

    @Test
    void parsesTheRfc5769Ipv4Response() throws Exception {
        StunMessage m = StunMessage.parse(RFC5769_IPV4_RESPONSE, RFC5769_IPV4_RESPONSE.length);
        assertEquals(StunMessage.BINDING_SUCCESS, m.type());
        assertArrayEquals(TID, m.transactionId());
        assertEquals(Endpoint.parse("192.0.2.1:32853"), m.mapped());
    }

    @Test
    void ourSuccessResponseCarriesTheRfc5769XorMappedAddressBytes() {
        byte[] b = StunMessage.bindingSuccess(TID, Endpoint.parse("192.0.2.1:32853"));
        // the attribute must be byte-identical to the RFC's: 0x0020, length 8, family 1, x-port, x-address
        assertEquals("00200008" + "0001a147" + "e112a643", HexFormat.of().formatHex(b, 20, 32));
        assertEquals("0101000c2112a442b7e7a701bc34d686fa87dfae", HexFormat.of().formatHex(b, 0, 20));
    }

    @Test
    void ipv6RoundTrips() throws Exception {
        Endpoint v6 = Endpoint.parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853");
        byte[] b = StunMessage.bindingSuccess(TID, v6);
        assertEquals(v6, StunMessage.parse(b, b.length).mapped());
    }

    @Test
    void aBindingRequestIsTwentyBytesWithTheCookie() throws Exception {
        byte[] b = StunMessage.bindingRequest(TID);
        assertEquals("000100002112a442b7e7a701bc34d686fa87dfae", HexFormat.of().formatHex(b));
        StunMessage m = StunMessage.parse(b, b.length);
        assertEquals(StunMessage.BINDING_REQUEST, m.type());
        assertNull(m.mapped());
    }

    @Test
    void ourFramesNeverLookLikeStun() {
        for (FrameType t : FrameType.values()) {
            byte[] frame = new byte[64];
            FrameHeader.write(frame, 0, t, StunMessage.MAGIC_COOKIE);   // even with the cookie where STUN has it
            assertFalse(StunMessage.looksLikeStun(frame, frame.length), t.name());
        }
        assertTrue(StunMessage.looksLikeStun(RFC5769_IPV4_RESPONSE, RFC5769_IPV4_RESPONSE.length));
    }

    @Test
    void aLengthFieldThatDisagreesWithTheDatagramIsRefused() {
        byte[] b = StunMessage.bindingSuccess(TID, Endpoint.parse("198.51.100.7:5800"));
        assertThrows(StunException.class, () -> StunMessage.parse(b, b.length - 4));
        b[3] = 16;
        assertThrows(StunException.class, () -> StunMessage.parse(b, b.length));
    }
}
