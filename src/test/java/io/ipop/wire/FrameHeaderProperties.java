package io.ipop.wire;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameHeader} on arbitrary datagrams, at any offset: it answers a frame type or throws
 * {@link WireException} with the reason of the first rule broken (length, then type, then version), and
 * nothing else escapes. The receiver index is the big-endian int at bytes 4..7 for any content.
 *
 * <p>Property tests: each runs its listed edge cases, then a fixed number of tries whose inputs are drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces.
 */
class FrameHeaderProperties {
    private static final long SEED = 0x4652_414D_4548_4452L;
    private static final int[] PLAUSIBLE_TYPES = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0x00, 0x16, 0xFF};
    private static final int[] PLAUSIBLE_VERSIONS = {0, 1, 2, 255};

    @Test
    void checkAnswersATypeOrTheFirstRuleBroken() {
        int n = 0;
        for (int skip : new int[] {0, 1, 8}) {
            for (int length : new int[] {0, 1, 2, FrameHeader.LENGTH - 1, FrameHeader.LENGTH, FrameHeader.LENGTH + 1, 40}) {
                for (int type : PLAUSIBLE_TYPES) {
                    for (int version : PLAUSIBLE_VERSIONS) {
                        byte[] datagram = new byte[skip + length];
                        Arrays.fill(datagram, (byte) 0x5A);
                        if (skip < datagram.length) {
                            datagram[skip] = (byte) type;
                        }
                        if (skip + 1 < datagram.length) {
                            datagram[skip + 1] = (byte) version;
                        }
                        check("edge case " + n++, () -> "datagram=" + hex(datagram) + " skip=" + skip,
                                () -> checkAnswersATypeOrTheFirstRuleBroken(datagram, skip));
                    }
                }
            }
        }
        int tries = 3000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            Random random = new Random(seed);
            byte[] datagram = datagram(random);
            int skip = between(random, 0, 8);
            check(trial(i, tries, seed), () -> "datagram=" + hex(datagram) + " skip=" + skip,
                    () -> checkAnswersATypeOrTheFirstRuleBroken(datagram, skip));
        }
    }

    private static void checkAnswersATypeOrTheFirstRuleBroken(byte[] datagram, int skip) {
        int offset = Math.min(skip, datagram.length);
        int length = datagram.length - offset;
        try {
            FrameType type = FrameHeader.check(datagram, offset, length);
            assertNotNull(type);
            assertTrue(length >= FrameHeader.LENGTH);
            assertEquals(type.code(), datagram[offset] & 0xFF);
            assertEquals(FrameHeader.VERSION, datagram[offset + 1] & 0xFF);
        } catch (WireException e) {
            WireException.Reason expected = length < FrameHeader.LENGTH ? WireException.Reason.TRUNCATED
                    : FrameType.of(datagram[offset]) == null ? WireException.Reason.UNKNOWN_TYPE
                    : WireException.Reason.BAD_VERSION;
            assertEquals(expected, e.reason(), e.getMessage());
        }
    }

    @Test
    void receiverIndexIsTheBigEndianIntAtBytesFourToSeven() {
        int n = 0;
        for (int size : new int[] {8, 9, 31, 32}) {
            for (int skip : new int[] {0, 1, 23, 24}) {
                for (byte[] pattern : List.of(new byte[] {0}, new byte[] {-1}, new byte[] {(byte) 0x80}, new byte[] {0x7F},
                        new byte[] {(byte) 0x80, 0, 0, 1}, new byte[] {0x7F, -1, -1, (byte) 0xFE})) {
                    byte[] datagram = new byte[size];
                    for (int k = 0; k < size; k++) {
                        datagram[k] = pattern[k % pattern.length];
                    }
                    check("edge case " + n++, () -> "datagram=" + hex(datagram) + " skip=" + skip,
                            () -> receiverIndexIsTheBigEndianIntAtBytesFourToSeven(datagram, skip));
                }
            }
        }
        int tries = 1000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(2, i);
            Random random = new Random(seed);
            byte[] datagram = bytes(random, 8, 32);
            int skip = between(random, 0, 24);
            check(trial(i, tries, seed), () -> "datagram=" + hex(datagram) + " skip=" + skip,
                    () -> receiverIndexIsTheBigEndianIntAtBytesFourToSeven(datagram, skip));
        }
    }

    private static void receiverIndexIsTheBigEndianIntAtBytesFourToSeven(byte[] datagram, int skip) {
        int offset = Math.min(skip, datagram.length - FrameHeader.LENGTH);
        int expected = ByteBuffer.wrap(datagram, offset + 4, 4).getInt();
        assertEquals(expected, FrameHeader.receiverIndex(datagram, offset));
    }

    @Test
    void writtenHeadersCheckAndCarryTheirIndex() {
        int n = 0;
        for (FrameType type : FrameType.values()) {
            for (int index : EDGE_INTS) {
                for (byte[] body : List.of(new byte[0], new byte[1], filled(64, (byte) -1))) {
                    check("edge case " + n++, () -> "type=" + type + " index=" + index + " body=" + hex(body),
                            () -> writtenHeadersCheckAndCarryTheirIndex(type, index, body));
                }
            }
        }
        int tries = 1000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(3, i);
            Random random = new Random(seed);
            FrameType type = FrameType.values()[random.nextInt(FrameType.values().length)];
            int index = anyInt(random);
            byte[] body = bytes(random, 0, 64);
            check(trial(i, tries, seed), () -> "type=" + type + " index=" + index + " body=" + hex(body),
                    () -> writtenHeadersCheckAndCarryTheirIndex(type, index, body));
        }
    }

    private static void writtenHeadersCheckAndCarryTheirIndex(FrameType type, int index, byte[] body) throws WireException {
        byte[] b = new byte[FrameHeader.LENGTH + body.length];
        System.arraycopy(body, 0, b, FrameHeader.LENGTH, body.length);
        FrameHeader.write(b, 0, type, index);
        assertEquals(type, FrameHeader.check(b, 0, b.length));
        assertEquals(index, FrameHeader.receiverIndex(b, 0));
    }

    /** Random bytes, and random bytes behind a plausible first byte and version, so every rule gets exercised. */
    private static byte[] datagram(Random random) {
        byte[] b = bytes(random, 0, 40);
        if (random.nextBoolean()) {
            if (b.length > 0) {
                b[0] = (byte) PLAUSIBLE_TYPES[random.nextInt(PLAUSIBLE_TYPES.length)];
            }
            if (b.length > 1) {
                b[1] = (byte) PLAUSIBLE_VERSIONS[random.nextInt(PLAUSIBLE_VERSIONS.length)];
            }
        }
        return b;
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
