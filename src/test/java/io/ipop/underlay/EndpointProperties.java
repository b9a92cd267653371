package io.ipop.underlay;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Endpoint#parse} on arbitrary address text: it answers an endpoint or throws
 * {@link IllegalArgumentException}, its documented rejection; what it accepts prints back to an equal
 * endpoint with a port in 1..65535. The generated hosts are address literals and near misses only, never
 * names: a name would be resolved (a DNS query, which a test must not send), so the host part is digits
 * and dots, or bracketed text containing ':' that the JDK parses as an IPv6 literal without a lookup.
 *
 * <p>A property test: it runs its listed edge cases, then a fixed number of tries whose input is drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces.
 */
class EndpointProperties {
    private static final long SEED = 0x454E_4450_4F49_4E54L;

    @Test
    void parseAnswersAnEndpointOrRejects() {
        List<String> edges = List.of(":", "", ":80", "[]:80", "[::1]:80", " ", "0.0.0.0:1", "255.255.255.255:65535",
                "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:00080", "192.0.2.1:99999999999", "192.0.2.1:", "192.0.2.1",
                "192.0.2.1:+80", "192.0.2.1:-1", "192.0.2.1: 80", "192.0.2.1:\u0661", "  192.0.2.1:80\t", "192.0.2:80",
                "1:80", "1.2.3.4.5:80", "01.2.3.4:80", "256.1.1.1:80", "1..2.3:80", ".:80", "[::]:1", "[::]:65535",
                "[::ffff:192.0.2.1]:1", "[0:0:0:0:0:0:0:0]:1", "[::1]80", "[::1]::80", "[::1]:", "[::1:]:1", "[:]:1",
                "[::1", "[1:2:3:4:5:6:7:8:9]:1");
        int n = 0;
        for (String text : edges) {
            check("edge case " + n++, () -> "text=" + quote(text), () -> parseAnswersAnEndpointOrRejects(text));
        }
        int tries = 3000;
        Tally tally = new Tally();
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            String text = endpointLike(new Random(seed));
            check(trial(i, tries, seed), () -> "text=" + quote(text), () -> tally.count(parseAnswersAnEndpointOrRejects(text)));
        }
        tally.assertBoth("endpoint-like text", 0.01);
    }

    /** True if {@code text} parsed (to an endpoint that prints and parses back), false if rejected. */
    private static boolean parseAnswersAnEndpointOrRejects(String text) {
        Endpoint e;
        try {
            e = Endpoint.parse(text);
        } catch (IllegalArgumentException rejected) {
            return false;
        }
        int port = e.address().getPort();
        assertTrue(port >= 1 && port <= 65535, text + " -> " + e);
        assertEquals(e, Endpoint.parse(e.toString()), text + " -> " + e);
        return true;
    }

    /** Brackets hold IPv6 literals only: the JDK would read [192.0.2]:80 as 192.0.0.2 (the typo the unbracketed form refuses). */
    @Test
    void bracketsAroundAnythingButAnIpv6AddressAreRefused() {
        for (String text : List.of("[192.0.2]:5800", "[192.0.2.1]:5800", "[10]:80", "[]:80")) {
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text), text);
        }
        assertEquals("192.0.2.1:80", Endpoint.parse("[::ffff:192.0.2.1]:80").toString());
    }

    private static final String NEAR_DIGIT_CHARS = "0123456789+- \u0661";
    private static final String[] ODD_PORTS = {"", "0", "00080", "65535", "65536", "99999999999"};
    private static final String[] ODD_OCTETS = {"", "00", "01", "256"};
    private static final String IPV6_CHARS = "0123456789abcdefABCDEF:.";
    private static final String[] BRACKET_ENDS = {"]:", "]", ":", "]::"};
    private static final String[] FIXED = {":", "", ":80", "[]:80", "[::1]:80"};

    /** A port: a number -5..70000, up to seven near-digit characters, or an odd fixed one. */
    private static String port(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Integer.toString(between(random, -5, 70000));
            case 1 -> string(random, NEAR_DIGIT_CHARS, 0, 7);
            default -> ODD_PORTS[random.nextInt(ODD_PORTS.length)];
        };
    }

    /** One to five octets (0..300 or odd ones) joined by dots. */
    private static String ipv4(Random random) {
        int count = between(random, 1, 5);
        List<String> octets = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            octets.add(random.nextBoolean() ? Integer.toString(between(random, 0, 300)) : ODD_OCTETS[random.nextInt(ODD_OCTETS.length)]);
        }
        return String.join(".", octets);
    }

    /** 1..45 hex digits, colons and dots, with a colon somewhere and starting with a hex digit or a colon. */
    private static String ipv6(Random random) {
        while (true) {
            String s = string(random, IPV6_CHARS, 1, 45);
            if (s.indexOf(':') >= 0 && (Character.digit(s.charAt(0), 16) >= 0 || s.charAt(0) == ':')) {
                return s;
            }
        }
    }

    /** An IPv4-ish host (octets, or up to 18 digits and dots), ':', a port. */
    private static String unbracketed(Random random) {
        String host = random.nextBoolean() ? ipv4(random) : string(random, "0123456789.", 0, 18);
        return host + ":" + port(random);
    }

    /** Unbracketed, bracketed IPv6-ish (with a right or wrong closing), padded unbracketed, or a fixed one, equally often. */
    private static String endpointLike(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> unbracketed(random);
            case 1 -> {
                String host = ipv6(random);
                String port = port(random);
                yield "[" + host + BRACKET_ENDS[random.nextInt(BRACKET_ENDS.length)] + port;
            }
            case 2 -> "  " + unbracketed(random) + "\t";
            default -> FIXED[random.nextInt(FIXED.length)];
        };
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
