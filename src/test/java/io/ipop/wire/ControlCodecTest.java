package io.ipop.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ControlCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ControlCodec codec = new ControlCodec();

    static Stream<ControlMessage> everyMessageType() {
        return Stream.of(
                new ControlMessage.ConReq(1, "a", "9f3c", "10.77.0.1/24", "02:00:00:00:00:0a",
                        List.of("blue", "red"), "n-1", -123456, 1_700_000_000_000L, null, null, null),
                new ControlMessage.ConReq(1, "a", "9f3c", "10.77.0.1/24", "02:00:00:00:00:0a",
                        List.of("blue"), "n-1", 5, 1_700_000_000_000L, true, "TUlJQg==", "c2ln"),
                new ControlMessage.ConResp(1, "b", "77aa", "10.77.0.2/24", "02:00:00:00:00:0b",
                        List.of(), "n-2", Integer.MAX_VALUE, 1_700_000_000_001L, "n-1", false, null, null),
                new ControlMessage.ConRej("b", "this node requires a certificate"),
                new ControlMessage.Ping("a", Long.MAX_VALUE, 42),
                new ControlMessage.Pong("b", 0, -1),
                new ControlMessage.Close("a", "shutting down: \"bye\" \u00e9"),
                new ControlMessage.Peers("rv", true, List.of(new ControlMessage.AnnouncedPeer("b", "10.77.0.3/24",
                        List.of("198.51.100.3:5800", "203.0.113.10:5800")))),
                new ControlMessage.Peers("rv", false, List.of()),
                new ControlMessage.RelayReq("a", "b"),
                new ControlMessage.RelayOk("rv", "b", 40001));
    }

    @ParameterizedTest
    @MethodSource("everyMessageType")
    void everyMessageRoundTrips(ControlMessage m) throws WireException {
        byte[] frame = codec.encode(m);

        assertEquals(m, codec.decode(frame, 0, frame.length));
    }

    @ParameterizedTest
    @MethodSource("everyMessageType")
    void encodedDatagramStartsWithAControlHeaderForIndexZero(ControlMessage m) throws WireException {
        byte[] frame = codec.encode(m);

        assertEquals(FrameType.CONTROL, FrameHeader.check(frame, 0, frame.length));
        assertEquals(0, FrameHeader.receiverIndex(frame, 0));
        assertEquals('{', frame[FrameHeader.LENGTH]);
    }

    @Test
    void decodesAFrameInTheMiddleOfALargerBuffer() throws WireException {
        ControlMessage m = new ControlMessage.Ping("a", 5, 6);
        byte[] frame = codec.encode(m);
        byte[] buf = new byte[frame.length + 20];
        Arrays.fill(buf, (byte) '}');
        System.arraycopy(frame, 0, buf, 10, frame.length);

        assertEquals(m, codec.decode(buf, 10, frame.length));
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() throws WireException {
        ObjectNode n = conReq();
        n.put("future", "x");
        n.putObject("nested").put("deep", 1);

        byte[] f = frame(n.toString());

        ControlMessage m = codec.decode(f, 0, f.length);

        assertEquals(new ControlMessage.ConReq(1, "a", "9f3c", "10.77.0.1/24", "02:00:00:00:00:0a", List.of("blue"),
                "n-1", 42, 1_700_000_000_000L, null, null, null), m);
    }

    @Test
    void decodedGroupsAreImmutable() throws WireException {
        byte[] f = frame(conReq().toString());
        ControlMessage.ConReq m = (ControlMessage.ConReq) codec.decode(f, 0, f.length);

        assertThrows(UnsupportedOperationException.class, () -> m.groups().add("x"));
    }

    static Stream<Arguments> malformedBodies() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("empty body", ""));
        cases.add(Arguments.of("not JSON", "hello, world"));
        cases.add(Arguments.of("binary", new String(new byte[] {0, 1, 2, (byte) 0xFF}, StandardCharsets.ISO_8859_1)));
        cases.add(Arguments.of("JSON null", "null"));
        cases.add(Arguments.of("JSON array", "[1,2]"));
        cases.add(Arguments.of("no type", "{\"node\":\"a\",\"seq\":1,\"ts\":2}"));
        cases.add(Arguments.of("unknown type", "{\"type\":\"hello\",\"node\":\"a\"}"));
        for (String field : List.of("v", "node", "instance", "ip", "mac", "groups", "nonce", "index", "ts")) {
            ObjectNode n = conReq();
            n.remove(field);
            cases.add(Arguments.of("con_req without " + field, n.toString()));
        }
        cases.add(Arguments.of("bad ip", conReq().put("ip", "10.77.0.300/24").toString()));
        cases.add(Arguments.of("ip without prefix", conReq().put("ip", "10.77.0.1").toString()));
        cases.add(Arguments.of("bad mac", conReq().put("mac", "02:00:00:00:00").toString()));
        cases.add(Arguments.of("index 0", conReq().put("index", 0).toString()));
        cases.add(Arguments.of("index beyond int", conReq().put("index", 1L << 32).toString()));
        cases.add(Arguments.of("65-char node", conReq().put("node", "n".repeat(65)).toString()));
        cases.add(Arguments.of("empty nonce", conReq().put("nonce", "").toString()));
        ObjectNode tooManyGroups = conReq();
        tooManyGroups.putArray("groups");
        for (int i = 0; i < 65; i++) {
            tooManyGroups.withArray("groups").add("g" + i);
        }
        cases.add(Arguments.of("65 groups", tooManyGroups.toString()));
        cases.add(Arguments.of("null group", conReq().set("groups", JSON.createArrayNode().addNull()).toString()));
        // signed tokens hold no separator of the signed form (issue 14): else two hellos could sign the same bytes
        cases.add(Arguments.of("comma in a group", conReq().set("groups", JSON.createArrayNode().add("blue,red")).toString()));
        cases.add(Arguments.of("newline in to", conReq().put("to", "b\ncands:192.0.2.9:5800").toString()));
        cases.add(Arguments.of("newline in nonce", conReq().put("nonce", "n1\n7").toString()));
        cases.add(Arguments.of("colon in instance", conReq().put("instance", "i:1").toString()));
        cases.add(Arguments.of("space in node", conReq().put("node", "a b").toString()));
        cases.add(Arguments.of("newline in cert", conReq().put("cert", "AAAA\nBBBB").toString()));
        cases.add(Arguments.of("comma in sig", conReq().put("sig", "AAAA,BBBB").toString()));
        cases.add(Arguments.of("con_resp without echo", conReq().put("type", "con_resp").toString()));
        cases.add(Arguments.of("ping with null node", "{\"type\":\"ping\",\"node\":null,\"seq\":1,\"ts\":2}"));
        cases.add(Arguments.of("close without reason", "{\"type\":\"close\",\"node\":\"a\"}"));
        cases.add(Arguments.of("trailing garbage", conReq() + " x"));
        cases.add(Arguments.of("second object", conReq().toString() + conReq()));
        cases.add(Arguments.of("deep nesting", "[".repeat(1300)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void malformedBodyIsRejected(String description, String body) {
        byte[] f = frame(body);

        assertMalformed(f, f.length);
    }

    @Test
    void headerAloneOrLessIsMalformed() {
        byte[] f = frame("");
        assertMalformed(f, FrameHeader.LENGTH);
        assertMalformed(f, FrameHeader.LENGTH - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {ControlCodec.MAX_CONTROL_FRAME, ControlCodec.MAX_CONTROL_FRAME + 1})
    void framesAreAcceptedUpToTheMaximumSizeOnly(int size) throws WireException {
        // A valid ping padded with whitespace, so its size is the only thing that can be wrong.
        String ping = "{\"type\":\"ping\",\"node\":\"a\",\"seq\":1,\"ts\":2}";
        byte[] f = frame(ping + " ".repeat(size - FrameHeader.LENGTH - ping.length()));
        assertEquals(size, f.length);

        if (size <= ControlCodec.MAX_CONTROL_FRAME) {
            assertEquals(new ControlMessage.Ping("a", 1, 2), codec.decode(f, 0, f.length));
        } else {
            assertMalformed(f, f.length);
        }
    }

    @Test
    void refusesToEncodeAMessageLargerThanAControlFrame() {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            groups.add(String.format("%064d", i));
        }
        ControlMessage big = new ControlMessage.ConReq(1, "a", "i", "10.77.0.1/24", "02:00:00:00:00:0a", groups, "n", 1, 0,
                null, "QUJD".repeat(1000), null);

        assertThrows(IllegalArgumentException.class, () -> codec.encode(big));
    }

    @Test
    void randomDatagramsOnlyEverFailWithWireException() {
        Random random = new Random(0x1F0F);
        byte[] valid = codec.encode(everyMessageType().findFirst().orElseThrow());
        int decoded = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] buf = new byte[random.nextInt(1501)];
            random.nextBytes(buf);
            switch (i % 3) {
                case 1 -> { // valid header (where it fits), random body
                    if (buf.length >= FrameHeader.LENGTH) {
                        FrameHeader.write(buf, 0, FrameType.CONTROL, 0);
                    }
                }
                case 2 -> { // a valid message with a few bytes flipped
                    buf = Arrays.copyOf(valid, valid.length);
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        int at = FrameHeader.LENGTH + random.nextInt(valid.length - FrameHeader.LENGTH);
                        buf[at] = (byte) random.nextInt(256);
                    }
                }
                default -> { }
            }
            try {
                if (FrameHeader.check(buf, 0, buf.length) == FrameType.CONTROL) {
                    decoded++;
                    codec.decode(buf, 0, buf.length);
                }
            } catch (WireException expected) {
                // the only way a bad datagram may fail
            } catch (RuntimeException | Error e) {
                fail("datagram #" + i + " " + Arrays.toString(buf) + " threw " + e, e);
            }
        }
        assertTrue(decoded > 6_000, "most datagrams reached the decoder: " + decoded);
    }

    private void assertMalformed(byte[] frame, int length) {
        WireException e = assertThrows(WireException.class, () -> codec.decode(frame, 0, length));
        assertEquals(WireException.Reason.MALFORMED_CONTROL, e.reason());
    }

    private static ObjectNode conReq() {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "con_req").put("v", 1).put("node", "a").put("instance", "9f3c").put("ip", "10.77.0.1/24")
                .put("mac", "02:00:00:00:00:0a").put("nonce", "n-1").put("index", 42).put("ts", 1_700_000_000_000L);
        n.putArray("groups").add("blue");
        return n;
    }

    private static byte[] frame(String body) {
        byte[] json = body.getBytes(StandardCharsets.ISO_8859_1); // one byte per char, so "binary" stays binary
        byte[] f = new byte[FrameHeader.LENGTH + json.length];
        FrameHeader.write(f, 0, FrameType.CONTROL, 0);
        System.arraycopy(json, 0, f, FrameHeader.LENGTH, json.length);
        return f;
    }
}
