package io.ipop.frame;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The parsers of outside input in {@code frame}: the Ethernet header accessors on any frame that
 * {@link EthernetHeader#fits}, and {@link MacAddress#parse} and {@link OverlayAddress#parse} on any
 * string (they read the {@code mac} and {@code ip} of a peer's hello). Each answers a value or throws
 * {@link IllegalArgumentException}, their documented rejection; what they accept prints back the same.
 * The node reads nothing of a frame beyond its Ethernet header (no ARP, no IPv4), so there is no other
 * frame parser to test.
 *
 * <p>Property tests: each runs its listed edge cases, then a fixed number of tries whose inputs are drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces.
 */
class FrameValuesProperties {
    private static final long SEED = 0x4652_414D_4556_414CL;

    @Test
    void ethernetAccessorsReadAnyFrameThatFits() {
        int n = 0;
        for (int size : new int[] {0, 1, EthernetHeader.LENGTH - 1, EthernetHeader.LENGTH, EthernetHeader.LENGTH + 1, 80}) {
            for (int offset : new int[] {0, 1, 80 - EthernetHeader.LENGTH - 1, 80 - EthernetHeader.LENGTH,
                    80 - EthernetHeader.LENGTH + 1, 80}) {
                for (byte fill : new byte[] {0, -1, 1, (byte) 0xFE, (byte) 0x80, 0x7F}) {
                    byte[] buf = filled(size, fill);
                    check("edge case " + n++, () -> "buf=" + hex(buf) + " offset=" + offset,
                            () -> ethernetAccessorsReadAnyFrameThatFits(buf, offset));
                }
            }
        }
        int tries = 2000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            Random random = new Random(seed);
            byte[] buf = bytes(random, 0, 80);
            int offset = between(random, 0, 80);
            check(trial(i, tries, seed), () -> "buf=" + hex(buf) + " offset=" + offset,
                    () -> ethernetAccessorsReadAnyFrameThatFits(buf, offset));
        }
    }

    private static void ethernetAccessorsReadAnyFrameThatFits(byte[] buf, int offset) {
        int length = buf.length - Math.min(offset, buf.length);
        int at = buf.length - length;
        if (!EthernetHeader.fits(length)) {
            assertTrue(length < EthernetHeader.LENGTH);
            return;
        }
        long dst = EthernetHeader.destination(buf, at);
        long src = EthernetHeader.source(buf, at);
        int type = EthernetHeader.etherType(buf, at);
        assertEquals(MacAddress.of(buf, at).bits(), dst);
        assertEquals(MacAddress.of(buf, at + 6).bits(), src);
        assertTrue(dst >= 0 && dst <= 0xFFFF_FFFF_FFFFL && src >= 0 && src <= 0xFFFF_FFFF_FFFFL);
        assertEquals(((buf[at + 12] & 0xFF) << 8) | (buf[at + 13] & 0xFF), type);
        assertEquals((buf[at] & 1) == 1, MacAddress.isGroup(dst));
    }

    @Test
    void macParseAnswersAnAddressOrRejects() {
        List<String> edges = List.of("", " ", ":", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "FF:FF:FF:FF:FF:FF",
                "Ab:cD:01:23:45:67", "0:0:0:0:0:0", "00:00:00:00", "00:00:00:00:00", "00:00:00:00:00:00:00",
                "00:00:00:00:00:00:00:00", "00-00-00-00-00-00", " 00:00:00:00:00:00", "00:00:00:00:00:00 ",
                "000:00:00:00:00:00", "00::00:00:00:00", ":::::", "gg:00:00:00:00:00", "+0:00:00:00:00:00",
                "-0:00:00:00:00:00", "\u0660\u0660:00:00:00:00:00", "\uff10\uff10:00:00:00:00:00", "0x:00:00:00:00:00");
        int n = 0;
        for (String text : edges) {
            check("edge case " + n++, () -> "text=" + quote(text), () -> macParseAnswersAnAddressOrRejects(text));
        }
        int tries = 3000;
        Tally tally = new Tally();
        for (int i = 0; i < tries; i++) {
            long seed = seed(2, i);
            String text = macLike(new Random(seed));
            check(trial(i, tries, seed), () -> "text=" + quote(text), () -> tally.count(macParseAnswersAnAddressOrRejects(text)));
        }
        tally.assertBoth("MAC-like text", 0.05);
    }

    /** True if {@code text} parsed (to its own lower-case form), false if rejected. */
    private static boolean macParseAnswersAnAddressOrRejects(String text) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
        assertEquals(text.toLowerCase(Locale.ROOT), mac.toString());
        assertEquals(mac, MacAddress.parse(mac.toString()));
        return true;
    }

    @Test
    void macToStringParsesBack() {
        int n = 0;
        for (long bits : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFF_FFFFL, 0x1_0000_0000_0000L,
                0x0100_0000_0000L, 0x8000_0000_0000L}) {
            check("edge case " + n++, () -> "bits=" + bits, () -> macToStringParsesBack(bits));
        }
        int tries = 1000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(3, i);
            long bits = anyLong(new Random(seed));
            check(trial(i, tries, seed), () -> "bits=" + bits, () -> macToStringParsesBack(bits));
        }
    }

    private static void macToStringParsesBack(long bits) {
        MacAddress mac = new MacAddress(bits & 0xFFFF_FFFF_FFFFL);
        assertEquals(mac, MacAddress.parse(mac.toString()));
    }

    @Test
    void overlayAddressParseAnswersAnAddressOrRejects() {
        List<String> edges = List.of("", " ", "/", "/8", "0.0.0.0", "0.0.0.0/0", "0.0.0.0/1", "255.255.255.255",
                "255.255.255.255/32", "255.255.255.255/33", "10.77.0.1/24", " 10.77.0.1/24 ", "10.77.0.1/24/24",
                "256.0.0.0/8", "1.2.3/8", "1.2.3.4.5/8", "01.2.3.4/8", "1.2.3.4/01", "1.2.3.4/", "1.2.3.4/+8",
                "+1.2.3.4/8", "-1.2.3.4/8", "1.2.3.4/-8", "1e2.2.3.4/8", "\u0661.2.3.4/8", "1.2.3.4/\uff11",
                "1..3.4/8", "1.2.3.4./8", ".1.2.3.4/8", "1.2.3.4/ 8", "1.2.3.4 /8");
        int n = 0;
        for (String text : edges) {
            for (boolean requirePrefix : new boolean[] {false, true}) {
                check("edge case " + n++, () -> "text=" + quote(text) + " requirePrefix=" + requirePrefix,
                        () -> overlayAddressParseAnswersAnAddressOrRejects(text, requirePrefix));
            }
        }
        int tries = 3000;
        Tally tally = new Tally();
        for (int i = 0; i < tries; i++) {
            long seed = seed(4, i);
            Random random = new Random(seed);
            String text = ipLike(random);
            boolean requirePrefix = random.nextBoolean();
            check(trial(i, tries, seed), () -> "text=" + quote(text) + " requirePrefix=" + requirePrefix,
                    () -> tally.count(overlayAddressParseAnswersAnAddressOrRejects(text, requirePrefix)));
        }
        tally.assertBoth("address-like text", 0.05);
    }

    /** True if {@code text} parsed (to an address that prints canonically and parses back), false if rejected. */
    private static boolean overlayAddressParseAnswersAnAddressOrRejects(String text, boolean requirePrefix) {
        OverlayAddress a;
        try {
            a = OverlayAddress.parse(text, requirePrefix);
        } catch (IllegalArgumentException e) {
            return false;
        }
        assertTrue(a.prefixLength() >= 1 && a.prefixLength() <= 32);
        assertEquals(a, OverlayAddress.parse(a.toString(), true));
        String canonical = a.ip() + "/" + a.prefixLength();
        assertEquals(canonical, a.toString());
        return true;
    }

    @Test
    void overlayAddressToStringParsesBack() {
        int n = 0;
        for (int address : EDGE_INTS) {
            for (int prefix : new int[] {1, 2, 31, 32}) {
                check("edge case " + n++, () -> "address=" + address + " prefix=" + prefix,
                        () -> overlayAddressToStringParsesBack(address, prefix));
            }
        }
        int tries = 1000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(5, i);
            Random random = new Random(seed);
            int address = anyInt(random);
            int prefix = between(random, 1, 32);
            check(trial(i, tries, seed), () -> "address=" + address + " prefix=" + prefix,
                    () -> overlayAddressToStringParsesBack(address, prefix));
        }
    }

    private static void overlayAddressToStringParsesBack(int address, int prefix) {
        OverlayAddress a = new OverlayAddress(address, prefix);
        assertEquals(a, OverlayAddress.parse(a.toString(), true));
    }

    private static final String HEX_CHARS = "0123456789abcdefABCDEF";
    private static final String NEAR_HEX_CHARS = "0123456789abcdefgxyzABCDEF:- \u0660\uff10";

    /** An octet: two hex digits, up to three near-hex characters, or up to three of any. */
    private static String macOctet(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> string(random, HEX_CHARS, 2, 2);
            case 1 -> string(random, NEAR_HEX_CHARS, 0, 3);
            default -> string(random, 0, 3);
        };
    }

    /** A well-formed MAC (any case); four to eight {@link #macOctet}s joined by ':'; or up to 24 characters of any kind. */
    private static String macLike(Random random) {
        if (random.nextInt(3) == 0) {
            List<String> octets = new ArrayList<>(6);
            for (int k = 0; k < 6; k++) {
                octets.add(string(random, HEX_CHARS, 2, 2));
            }
            return String.join(":", octets);
        }
        if (random.nextBoolean()) {
            int count = between(random, 4, 8);
            List<String> octets = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                octets.add(macOctet(random));
            }
            return String.join(":", octets);
        }
        return string(random, 0, 24);
    }

    private static final String NEAR_DIGIT_CHARS = "0123456789+- x\u0660\uff11";
    private static final String[] ODD_PARTS = {"", "00", "007", "255", "256", "-1", "1e2"};

    /** A part: a number 0..300, up to four near-digit characters, or an odd fixed one. */
    private static String ipPart(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Integer.toString(between(random, 0, 300));
            case 1 -> string(random, NEAR_DIGIT_CHARS, 0, 4);
            default -> ODD_PARTS[random.nextInt(ODD_PARTS.length)];
        };
    }

    private static String dotted(Random random) {
        int count = between(random, 3, 5);
        List<String> parts = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            parts.add(ipPart(random));
        }
        return String.join(".", parts);
    }

    /** A well-formed address with or without a prefix; dotted parts; with one prefix; padded with two; or any characters. */
    private static String ipLike(Random random) {
        return switch (random.nextInt(5)) {
            case 4 -> between(random, 0, 255) + "." + between(random, 0, 255) + "." + between(random, 0, 255) + "."
                    + between(random, 0, 255) + (random.nextInt(4) == 0 ? "" : "/" + between(random, 1, 32));
            case 0 -> dotted(random);
            case 1 -> {
                String ip = dotted(random);
                yield ip + "/" + ipPart(random);
            }
            case 2 -> {
                String ip = dotted(random);
                String p = ipPart(random);
                String q = ipPart(random);
                yield " " + ip + "/" + p + "/" + q + " ";
            }
            default -> string(random, 0, 24);
        };
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
