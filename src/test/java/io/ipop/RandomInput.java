package io.ipop;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Seeded random inputs for the randomized tests of the parsers of outside input ({@code *Properties}):
 * generators biased toward edge values, the per-try seed, and failure reports that name the try, its
 * seed and its input, so any failure can be drawn again with {@code new Random(seed)}.
 */
public final class RandomInput {
    private RandomInput() {
    }


    public static final int[] EDGE_INTS = {0, 1, -1, 2, -2, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1,
            Integer.MAX_VALUE - 1};
    public static final long[] EDGE_LONGS = {0, 1, -1, 2, -2, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
            Long.MAX_VALUE - 1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    public static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};
    public static final char[] EDGE_CHARS = {'\u0000', ' ', '\ufffd'};

    /** The seed of try {@code i} of property {@code property}: {@code new Random(seed)} draws that try's input again. */
    public static long seed(long base, int property, int i) {
        long z = base + property * 0x632B_E59B_D9B4_E019L + i * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    public static String trial(int i, int tries, long seed) {
        return "try " + (i + 1) + " of " + tries + " (new Random(" + seed + "L))";
    }

    public interface Body {
        void run() throws Exception;
    }

    /** Runs one try; whatever it throws fails the test with the try, its seed and its input, and the original as cause. */
    public static void check(String trial, Supplier<String> input, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            throw new AssertionError(trial + " failed for " + input.get() + ": " + t, t);
        }
    }

    /** Uniform in {@code min..max}, with the bounds themselves drawn more often. */
    public static int between(Random random, int min, int max) {
        int p = random.nextInt(20);
        if (p == 0) {
            return min;
        }
        if (p == 1) {
            return max;
        }
        return min + random.nextInt(max - min + 1);
    }

    /** Any int, biased toward edge values and small magnitudes, else uniform over the whole range. */
    public static int anyInt(Random random) {
        int p = random.nextInt(10);
        if (p == 0) {
            return EDGE_INTS[random.nextInt(EDGE_INTS.length)];
        }
        if (p < 5) {
            return random.nextInt() >> random.nextInt(32);
        }
        return random.nextInt();
    }

    /** Any long, biased like {@link #anyInt}. */
    public static long anyLong(Random random) {
        int p = random.nextInt(10);
        if (p == 0) {
            return EDGE_LONGS[random.nextInt(EDGE_LONGS.length)];
        }
        if (p < 5) {
            return random.nextLong() >> random.nextInt(64);
        }
        return random.nextLong();
    }

    /** Any byte; the edge values more often. */
    public static byte anyByte(Random random) {
        return random.nextInt(10) == 0 ? EDGE_BYTES[random.nextInt(EDGE_BYTES.length)] : (byte) random.nextInt();
    }

    /** A collection size in {@code min..max}: mostly up to 32 above {@code min}, sometimes above, sometimes a bound. */
    public static int size(Random random, int min, int max) {
        int cutoff = max - min <= 32 ? max : min + 32;
        int p = random.nextInt(100);
        if (p < 3) {
            return min;
        }
        if (p < 5) {
            return max;
        }
        if (p < 15 && cutoff < max) {
            return cutoff + 1 + random.nextInt(max - cutoff);
        }
        return min + random.nextInt(cutoff - min + 1);
    }

    /** Random bytes of a {@link #size} in {@code min..max}; now and then all one edge value. */
    public static byte[] bytes(Random random, int min, int max) {
        byte[] b = new byte[size(random, min, max)];
        if (random.nextInt(20) == 0) {
            Arrays.fill(b, EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]);
        } else {
            random.nextBytes(b);
        }
        return b;
    }

    /**
     * Any char of the basic plane but surrogates, noncharacters and private use; low code points (ASCII and
     * two-byte UTF-8) more often, where the characters that matter to parsers and JSON are.
     */
    public static char anyChar(Random random) {
        while (true) {
            int p = random.nextInt(20);
            int c = p == 0 ? EDGE_CHARS[random.nextInt(EDGE_CHARS.length)]
                    : p < 8 ? random.nextInt(0x80)
                    : p < 12 ? random.nextInt(0x800)
                    : random.nextInt(0x10000);
            boolean surrogate = c >= 0xD800 && c <= 0xDFFF;
            boolean noncharacter = (c >= 0xFDD0 && c <= 0xFDEF) || c == 0xFFFE || c == 0xFFFF;
            boolean privateUse = c >= 0xE000 && c <= 0xF8FF;
            if (!surrogate && !noncharacter && !privateUse) {
                return (char) c;
            }
        }
    }

    /** A string of {@link #anyChar}s, its length a {@link #size} in {@code min..max}. */
    public static String string(Random random, int min, int max) {
        int length = size(random, min, max);
        StringBuilder sb = new StringBuilder(length);
        for (int k = 0; k < length; k++) {
            sb.append(anyChar(random));
        }
        return sb.toString();
    }

    /** A string of {@code chars} (each equally likely), its length a {@link #size} in {@code min..max}. */
    public static String string(Random random, String chars, int min, int max) {
        int length = size(random, min, max);
        StringBuilder sb = new StringBuilder(length);
        for (int k = 0; k < length; k++) {
            sb.append(chars.charAt(random.nextInt(chars.length())));
        }
        return sb.toString();
    }

    public static byte[] filled(int length, byte value) {
        byte[] b = new byte[length];
        Arrays.fill(b, value);
        return b;
    }

    public static String hex(byte[] b) {
        return "[" + b.length + " bytes] " + HexFormat.of().formatHex(b);
    }

    /** {@code s} in Java string syntax, everything outside printable ASCII escaped. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }

    /**
     * How many inputs of a property were accepted and how many refused: a generator that only makes garbage
     * (or only valid input) would pass an "answers or refuses" property without testing one of its halves.
     */
    public static final class Tally {
        private int accepted;
        private int refused;

        public void count(boolean wasAccepted) {
            if (wasAccepted) {
                accepted++;
            } else {
                refused++;
            }
        }

        /** Fails unless at least {@code least} of the inputs were accepted and as many refused. */
        public void assertBoth(String what, double least) {
            int all = accepted + refused;
            if (accepted < least * all || refused < least * all) {
                throw new AssertionError(what + ": " + accepted + " accepted, " + refused + " refused of " + all
                        + "; the generator must make both, at least " + (int) (least * 100) + "% each");
            }
        }
    }
}
