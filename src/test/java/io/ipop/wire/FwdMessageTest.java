package io.ipop.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Fwd;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code fwd} message (docs/protocol.md): a hello passed through a rendezvous. It round-trips with
 * its hello intact; everything that breaks its shape is {@code malformed_control}, with a message
 * saying what; a hello too large to wrap cannot be encoded (its sender counts {@code too_large}).
 */
class FwdMessageTest {
    private static final String CERT = "MIIB".repeat(200);   // about the size of a real certificate, base64
    private final ControlCodec codec = new ControlCodec();

    @Test
    void aSignedSizeHelloRoundTripsBothWays() throws WireException {
        ConReq req = request("a", "b", CERT);
        Fwd toward = Fwd.toward("a", "b", req);
        Fwd passed = Fwd.passedOn("rv", "a", req);
        for (Fwd f : List.of(toward, passed)) {
            byte[] frame = codec.encode(f);
            assertEquals(f, codec.decode(frame, 0, frame.length));
            assertTrue(frame.length < ControlCodec.MAX_CONTROL_FRAME, frame.length + " bytes");
        }
        ConResp resp = new ConResp(1, "b", "i-b", "10.77.0.3/24", "02:00:00:00:00:0b", List.of(), "n2", 9, 1, "n1",
                true, null, null, "a", List.of("198.51.100.3:5800"));
        byte[] frame = codec.encode(Fwd.passedOn("rv", "b", resp));
        assertEquals(resp, ((Fwd) codec.decode(frame, 0, frame.length)).msg());
    }

    @Test
    void theShapeIsChecked() {
        ConReq req = request("a", "b", null);
        assertThrows(IllegalArgumentException.class, () -> new Fwd("a", "b", "a", req), "both to and from");
        assertThrows(IllegalArgumentException.class, () -> new Fwd("a", null, null, req), "neither");
        assertThrows(IllegalArgumentException.class, () -> new Fwd("a", "b", null, null), "no msg");
        assertThrows(IllegalArgumentException.class, () -> Fwd.toward("x", "b", req), "msg not by the sender");
        assertThrows(IllegalArgumentException.class, () -> Fwd.passedOn("rv", "x", req), "msg not by from");
        assertThrows(IllegalArgumentException.class, () -> Fwd.toward("a", "c", req), "msg for another node");
        assertThrows(IllegalArgumentException.class, () -> Fwd.toward("a", "b".repeat(65), request("a", null, null)));
    }

    @Test
    void malformedFwdIsRefusedWithAReason() {
        String hello = "{\"type\":\"con_req\",\"v\":1,\"node\":\"a\",\"instance\":\"i\",\"ip\":\"10.77.0.2/24\","
                + "\"mac\":\"02:00:00:00:00:0a\",\"groups\":[],\"nonce\":\"n\",\"index\":7,\"ts\":1,\"to\":\"b\"}";
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\"}", "msg missing");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\",\"from\":\"a\",\"msg\":" + hello + "}", "exactly one");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\",\"msg\":{\"type\":\"ping\",\"node\":\"a\",\"seq\":1,\"ts\":1}}",
                "ping");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\",\"msg\":{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\","
                + "\"msg\":" + hello + "}}", "fwd");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"rv\",\"from\":\"c\",\"msg\":" + hello + "}", "not by its sender");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"c\",\"msg\":" + hello + "}", "not for");
        assertMalformed("{\"type\":\"fwd\",\"node\":\"a\",\"to\":\"b\",\"msg\":\"con_req\"}", "");
    }

    @Test
    void aHelloTooLargeToWrapCannotBeEncoded() {
        // alone it fits one control frame, wrapped it does not: the sender counts it (signaling.too_large)
        int base = codec.encode(request("a", "b", "A")).length;
        ConReq big = request("a", "b", "A".repeat(1 + ControlCodec.MAX_CONTROL_FRAME - base));
        assertEquals(ControlCodec.MAX_CONTROL_FRAME, codec.encode(big).length);
        assertThrows(IllegalArgumentException.class, () -> codec.encode(Fwd.toward("a", "b", big)));
    }

    private void assertMalformed(String json, String because) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[FrameHeader.LENGTH + body.length];
        FrameHeader.write(frame, 0, FrameType.CONTROL, 0);
        System.arraycopy(body, 0, frame, FrameHeader.LENGTH, body.length);
        WireException e = assertThrows(WireException.class, () -> codec.decode(frame, 0, frame.length), json);
        assertEquals(WireException.Reason.MALFORMED_CONTROL, e.reason());
        assertTrue(e.getMessage().contains(because), e.getMessage() + " should say " + because);
    }

    private static ConReq request(String node, String to, String cert) {
        return new ConReq(1, node, "i-" + node, "10.77.0.2/24", "02:00:00:00:00:0a", List.of("blue"), "n1", 7, 1, null,
                cert, cert == null ? null : "c2ln", to, List.of("198.51.100.2:5800", "192.0.2.10:5800"));
    }
}
