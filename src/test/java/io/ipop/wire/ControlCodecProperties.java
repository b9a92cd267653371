package io.ipop.wire;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.RandomInput;
import io.ipop.frame.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link ControlCodec#decode} on arbitrary input: it answers a well-formed message (one that encodes
 * again and round-trips) or throws {@link WireException} with reason {@code MALFORMED_CONTROL}; nothing
 * else escapes. Inputs: random bytes, JSON-like token soup, and valid messages with bytes flipped,
 * cut, or spliced. Valid messages round-trip.
 *
 * <p>Property tests: each runs its listed edge cases, then a fixed number of tries whose inputs are drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces.
 */
class ControlCodecProperties {
    private static final long SEED = 0x4354_524C_434F_4445L;
    private final ControlCodec codec = new ControlCodec();

    @Test
    void randomBytesDecodeOrAreMalformed() {
        List<byte[]> edges = new ArrayList<>();
        edges.add(new byte[0]);
        for (byte b : new byte[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE, '{', '[', '"', 'n'}) {
            edges.add(new byte[] {b});
        }
        for (String s : List.of("{}", "[]", "null", "\"\"", "{\"type\":\"ping\"}", "{\"type\":\"ping\",\"node\":\"b\",\"seq\":1,\"ts\":1}")) {
            edges.add(s.getBytes(StandardCharsets.UTF_8));
        }
        edges.add(filled(600, (byte) 0));
        edges.add(filled(600, (byte) '['));
        edges.add(filled(600, (byte) -1));
        int n = 0;
        for (byte[] body : edges) {
            for (int skip : new int[] {0, 5}) {
                check("edge case " + n++, () -> "body=" + hex(body) + " skip=" + skip, () -> assertDecodesOrIsMalformed(body, skip));
            }
        }
        int tries = 2000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            Random random = new Random(seed);
            byte[] body = bytes(random, 0, 600);
            int skip = between(random, 0, 5);
            check(trial(i, tries, seed), () -> "body=" + hex(body) + " skip=" + skip, () -> assertDecodesOrIsMalformed(body, skip));
        }
    }

    @Test
    void jsonLikeTextDecodesOrIsMalformed() {
        List<String> edges = new ArrayList<>();
        edges.add("");
        edges.addAll(TOKENS);
        for (String type : TYPES) {
            edges.add("{\"type\":\"" + type + "\",");
        }
        int n = 0;
        for (String json : edges) {
            check("edge case " + n++, () -> "json=" + quote(json), () -> assertDecodesOrIsMalformed(json.getBytes(StandardCharsets.UTF_8), 0));
        }
        int tries = 3000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(2, i);
            String json = jsonSoup(new Random(seed));
            check(trial(i, tries, seed), () -> "json=" + quote(json), () -> assertDecodesOrIsMalformed(json.getBytes(StandardCharsets.UTF_8), 0));
        }
    }

    @Test
    void mutatedMessagesDecodeOrAreMalformed() {
        int n = 0;
        for (ControlMessage m : edgeMessages()) {
            for (int kind = 0; kind <= 3; kind++) {
                for (int position : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                    for (int value : new int[] {0, '"', 0xFF}) {
                        List<int[]> edits = List.of(new int[] {kind, position, value});
                        check("edge case " + n++, () -> "message=" + quote(m.toString()) + " edits=" + edits(edits),
                                () -> mutatedMessagesDecodeOrAreMalformed(m, edits));
                    }
                }
            }
        }
        int tries = 3000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(3, i);
            Random random = new Random(seed);
            ControlMessage m = message(random);
            List<int[]> edits = mutations(random);
            check(trial(i, tries, seed), () -> "message=" + quote(m.toString()) + " edits=" + edits(edits),
                    () -> mutatedMessagesDecodeOrAreMalformed(m, edits));
        }
    }

    private void mutatedMessagesDecodeOrAreMalformed(ControlMessage m, List<int[]> edits) {
        byte[] frame = codec.encode(m);
        byte[] body = Arrays.copyOfRange(frame, FrameHeader.LENGTH, frame.length);
        for (int[] e : edits) {
            body = apply(body, e);
        }
        assertDecodesOrIsMalformed(body, 0);
    }

    @Test
    void validMessagesRoundTrip() {
        int n = 0;
        for (ControlMessage m : edgeMessages()) {
            check("edge case " + n++, () -> "message=" + quote(m.toString()), () -> validMessagesRoundTrip(m));
        }
        int tries = 1000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(4, i);
            ControlMessage m = message(new Random(seed));
            check(trial(i, tries, seed), () -> "message=" + quote(m.toString()), () -> validMessagesRoundTrip(m));
        }
    }

    private void validMessagesRoundTrip(ControlMessage m) throws WireException {
        byte[] frame = codec.encode(m);
        assertEquals(m, codec.decode(frame, 0, frame.length));
    }

    @Test
    void bodiesOverTheLimitAreMalformed() {
        int min = ControlCodec.MAX_CONTROL_FRAME - FrameHeader.LENGTH + 1;
        int max = 3 * ControlCodec.MAX_CONTROL_FRAME;
        int n = 0;
        for (int size : new int[] {min, min + 1, max - 1, max}) {
            check("edge case " + n++, () -> "size=" + size, () -> bodiesOverTheLimitAreMalformed(size));
        }
        int tries = 200;
        for (int i = 0; i < tries; i++) {
            long seed = seed(5, i);
            int size = between(new Random(seed), min, max);
            check(trial(i, tries, seed), () -> "size=" + size, () -> bodiesOverTheLimitAreMalformed(size));
        }
    }

    private void bodiesOverTheLimitAreMalformed(int size) {
        String pad = "x".repeat(size - 40);
        byte[] body = ("{\"type\":\"ping\",\"node\":\"b\",\"seq\":1,\"ts\":1,\"p\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
        try {
            codec.decode(frame(body, 0), 0, FrameHeader.LENGTH + body.length);
            throw new AssertionError("a " + body.length + "-byte body was accepted");
        } catch (WireException e) {
            assertEquals(WireException.Reason.MALFORMED_CONTROL, e.reason());
        }
    }

    private void assertDecodesOrIsMalformed(byte[] body, int skip) {
        byte[] frame = frame(body, skip);
        try {
            ControlMessage m = codec.decode(frame, skip, frame.length - skip);
            byte[] again = codec.encode(m);             // a decoded message is well-formed: it encodes ...
            assertEquals(m, codec.decode(again, 0, again.length));   // ... and round-trips
        } catch (WireException e) {
            assertEquals(WireException.Reason.MALFORMED_CONTROL, e.reason(), e.getMessage());
        }
    }

    /** {@code skip} bytes of junk, a control header, then {@code body}. */
    private static byte[] frame(byte[] body, int skip) {
        byte[] f = new byte[skip + FrameHeader.LENGTH + body.length];
        Arrays.fill(f, 0, skip, (byte) 0x5A);
        FrameHeader.write(f, skip, FrameType.CONTROL, 0);
        System.arraycopy(body, 0, f, skip + FrameHeader.LENGTH, body.length);
        return f;
    }

    /** Edit {@code e = [kind, position, value]}: 0 flip a byte, 1 cut at, 2 delete one, 3 insert one. */
    private static byte[] apply(byte[] b, int[] e) {
        if (b.length == 0) {
            return b;
        }
        int at = Math.floorMod(e[1], b.length);
        return switch (e[0]) {
            case 0 -> {
                byte[] c = b.clone();
                c[at] = (byte) e[2];
                yield c;
            }
            case 1 -> Arrays.copyOf(b, at);
            case 2 -> {
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                yield c;
            }
            default -> {
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = (byte) e[2];
                System.arraycopy(b, at, c, at + 1, b.length - at);
                yield c;
            }
        };
    }

    private static final int[] EDIT_VALUES = {0, '"', '{', '}', '[', ']', ':', ',', '\\', '0', '9', '-', 'e', 'n', 0x80, 0xC3, 0xFF};

    /** One to four edits, each {@code [kind 0..3, any position, a byte that matters to JSON or UTF-8]}. */
    private static List<int[]> mutations(Random random) {
        int count = between(random, 1, 4);
        List<int[]> edits = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            edits.add(new int[] {between(random, 0, 3), anyInt(random), EDIT_VALUES[random.nextInt(EDIT_VALUES.length)]});
        }
        return edits;
    }

    private static String edits(List<int[]> edits) {
        return edits.stream().map(Arrays::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static final List<String> TOKENS = List.of("{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", " ", "\\",
            "\\u0000", "\\ud800", "\"\\uDFFF\"", "1e999", "-0", "0.5", "99999999999999999999999", "-9223372036854775809",
            "\"type\"", "\"con_req\"", "\"con_resp\"", "\"con_rej\"", "\"ping\"", "\"pong\"", "\"close\"",
            "\"node\"", "\"v\"", "\"instance\"", "\"ip\"", "\"mac\"", "\"groups\"", "\"nonce\"", "\"index\"",
            "\"ts\"", "\"secure\"", "\"cert\"", "\"sig\"", "\"echo\"", "\"seq\"", "\"reason\"", "\"b\"",
            "\"fwd\"", "\"to\"", "\"from\"", "\"msg\"",
            "\"10.77.0.2/24\"", "\"02:00:00:00:00:01\"", "1", "0", "-1", "\"\"");
    private static final List<String> TYPES = List.of("con_req", "con_resp", "con_rej", "ping", "pong", "close", "fwd",
            "warp");

    /** A JSON-ish token: a known one, a short quoted string, or an int. */
    private static String token(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> TOKENS.get(random.nextInt(TOKENS.size()));
            case 1 -> "\"" + string(random, 0, 8).replace("\"", "") + "\"";
            default -> Integer.toString(anyInt(random));
        };
    }

    private static String tokens(Random random, int max) {
        int count = size(random, 0, max);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            sb.append(token(random));
        }
        return sb.toString();
    }

    /** Up to 40 tokens of soup, or the start of an object with a type (known or not) and up to 30 tokens. */
    private static String jsonSoup(Random random) {
        if (random.nextBoolean()) {
            return tokens(random, 40);
        }
        String type = TYPES.get(random.nextInt(TYPES.size()));
        return "{\"type\":\"" + type + "\"," + tokens(random, 30);
    }

    private static final String TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._-";
    private static final String BASE64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    private static String token(Random random, int min, int max) {
        return string(random, TOKEN_CHARS, min, max);
    }

    /** Free text: up to 200 of any characters but surrogates, noncharacters and private use (see {@link #anyChar}). */
    private static String text(Random random) {
        return string(random, 0, 200);
    }

    private static String ip(Random random) {
        return "10.77." + between(random, 0, 255) + "." + between(random, 0, 255) + "/" + between(random, 1, 32);
    }

    private static String mac(Random random) {
        long v = switch (random.nextInt(10)) {
            case 0 -> 0L;
            case 1 -> 0xFFFF_FFFF_FFFFL;
            case 2, 3, 4 -> (random.nextLong() & 0xFFFF_FFFF_FFFFL) >>> random.nextInt(48);
            default -> random.nextLong() & 0xFFFF_FFFF_FFFFL;
        };
        return new MacAddress(v).toString();
    }

    private static int index(Random random) {
        int i;
        do {
            i = anyInt(random);
        } while (i == 0);
        return i;
    }

    private static List<String> groups(Random random) {
        int count = size(random, 0, 5);
        List<String> groups = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            groups.add(token(random, 1, 64));
        }
        return groups;
    }

    /** One of the seven kinds, equally often, with every field drawn from its whole valid range. */
    private static ControlMessage message(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> {
                String node = token(random, 1, 64);
                String instance = token(random, 1, 64);
                String ip = ip(random);
                String mac = mac(random);
                List<String> groups = groups(random);
                String nonce = token(random, 1, 64);
                int index = index(random);
                long ts = anyLong(random);
                Boolean secure = random.nextInt(10) < 3 ? null : random.nextBoolean();
                String cert = random.nextInt(10) < 3 ? null : string(random, BASE64_CHARS, 1, 1200);
                yield new ControlMessage.ConReq(1, node, instance, ip, mac, groups, nonce, index, ts, secure, cert,
                        cert == null ? null : "c2ln");
            }
            case 1 -> {
                String node = token(random, 1, 64);
                String instance = token(random, 1, 64);
                String ip = ip(random);
                String mac = mac(random);
                List<String> groups = groups(random);
                String nonce = token(random, 1, 64);
                int index = index(random);
                long ts = anyLong(random);
                String echo = token(random, 1, 64);
                boolean secure = random.nextBoolean();
                String cert = random.nextInt(10) < 3 ? null : string(random, BASE64_CHARS, 1, 1200);   // signed, as a node with a certificate answers
                yield new ControlMessage.ConResp(1, node, instance, ip, mac, groups, nonce, index, ts, echo, secure, cert,
                        cert == null ? null : "c2ln");
            }
            case 2 -> new ControlMessage.ConRej(token(random, 1, 64), text(random));
            case 3 -> new ControlMessage.Ping(token(random, 1, 64), anyLong(random), anyLong(random));
            case 4 -> new ControlMessage.Pong(token(random, 1, 64), anyLong(random), anyLong(random));
            case 5 -> new ControlMessage.Close(token(random, 1, 64), text(random));
            default -> {
                ControlMessage.Hello hello;
                do {
                    hello = message(random) instanceof ControlMessage.Hello h ? h : null;
                } while (hello == null);
                yield random.nextBoolean()
                        ? ControlMessage.Fwd.toward(hello.node(), token(random, 1, 64), hello)
                        : ControlMessage.Fwd.passedOn(token(random, 1, 64), hello.node(), hello);
            }
        };
    }

    /** Each kind with its fields at their bounds: shortest and longest tokens and texts, extreme numbers, null and set options. */
    private static List<ControlMessage> edgeMessages() {
        String shortest = "a";
        String longest = TOKEN_CHARS.repeat(2).substring(0, 64);
        String awkward = "\u0000\"\\/\n\r\t\b\f\u001f\u007f\u0080\u00e9\u2028\u2029\ufeff\ufffd\u65e5 ";
        String longText = awkward.repeat(200 / awkward.length() + 1).substring(0, 200);
        List<String> fiveGroups = List.of(longest, "b", "-", ".", "_");
        String longCert = BASE64_CHARS.repeat(1200 / BASE64_CHARS.length() + 1).substring(0, 1200);
        String zeroMac = new MacAddress(0).toString();
        String onesMac = new MacAddress(0xFFFF_FFFF_FFFFL).toString();
        ControlMessage.ConReq longestReq = new ControlMessage.ConReq(1, longest, longest, "10.77.255.255/32", onesMac,
                fiveGroups, longest, Integer.MAX_VALUE, Long.MAX_VALUE, true, longCert, "c2ln", longest,
                List.of("255.255.255.255:65535", "0.0.0.0:1", "198.51.100.2:5800", "192.0.2.10:5800"));
        ControlMessage.ConResp shortestResp = new ControlMessage.ConResp(1, shortest, shortest, "10.77.0.0/1", zeroMac,
                List.of(), shortest, -1, Long.MIN_VALUE, shortest, false, null, null);
        return List.of(
                new ControlMessage.ConReq(1, shortest, shortest, "10.77.0.0/1", zeroMac, List.of(), shortest,
                        Integer.MIN_VALUE, Long.MIN_VALUE, null, null, null),
                new ControlMessage.ConReq(1, longest, longest, "10.77.255.255/32", onesMac, fiveGroups, longest,
                        Integer.MAX_VALUE, Long.MAX_VALUE, true, longCert, "c2ln"),
                longestReq,
                ControlMessage.Fwd.toward(longest, longest, longestReq),
                ControlMessage.Fwd.passedOn(longest, longest, longestReq),
                ControlMessage.Fwd.toward(shortest, shortest, shortestResp),
                ControlMessage.Fwd.passedOn(shortest, shortest, shortestResp),
                new ControlMessage.ConReq(1, shortest, longest, "10.77.0.1/24", zeroMac, List.of(shortest), longest,
                        1, 0, false, "=", "c2ln"),
                new ControlMessage.ConResp(1, shortest, shortest, "10.77.0.0/1", zeroMac, List.of(), shortest,
                        -1, Long.MIN_VALUE, shortest, false, null, null),
                new ControlMessage.ConResp(1, longest, longest, "10.77.255.255/32", onesMac, fiveGroups, longest,
                        Integer.MAX_VALUE, Long.MAX_VALUE, longest, true, null, null),
                new ControlMessage.ConResp(1, longest, longest, "10.77.255.255/32", onesMac, fiveGroups, longest,
                        Integer.MAX_VALUE, Long.MAX_VALUE, longest, true, longCert, "c2ln"),
                new ControlMessage.ConRej(shortest, ""),
                new ControlMessage.ConRej(longest, longText),
                new ControlMessage.Ping(shortest, Long.MIN_VALUE, Long.MAX_VALUE),
                new ControlMessage.Ping(longest, 0, -1),
                new ControlMessage.Pong(shortest, Long.MAX_VALUE, Long.MIN_VALUE),
                new ControlMessage.Pong(longest, -1, 0),
                new ControlMessage.Close(shortest, ""),
                new ControlMessage.Close(longest, longText));
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
