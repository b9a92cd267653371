package io.ipop.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameHeaderTest {

    private static byte[] header(FrameType type, int index) {
        byte[] b = new byte[FrameHeader.LENGTH];
        FrameHeader.write(b, 0, type, index);
        return b;
    }

    @Test
    void layoutIsTypeVersionTwoZeroBytesAndBigEndianIndex() {
        assertArrayEquals(new byte[] {(byte) 0xA2, 1, 0, 0, 0x12, 0x34, 0x56, 0x78}, header(FrameType.DATA, 0x12345678));
        assertArrayEquals(new byte[] {(byte) 0xA1, 1, 0, 0, 0, 0, 0, 0}, header(FrameType.CONTROL, 0));
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void typeRoundTrips(FrameType type) throws WireException {
        assertEquals(type, FrameHeader.check(header(type, 7), 0, FrameHeader.LENGTH));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 255, 256, 0x7FFF_FFFF, -1, -2, 0x8000_0000, 0xA1A2_A3A4})
    void receiverIndexRoundTripsAtAnOffsetIncludingNegativeInts(int index) throws WireException {
        byte[] buf = new byte[5 + FrameHeader.LENGTH + 3];
        Arrays.fill(buf, (byte) 0x5A);
        FrameHeader.write(buf, 5, FrameType.DATA, index);

        assertEquals(FrameType.DATA, FrameHeader.check(buf, 5, FrameHeader.LENGTH + 3));
        assertEquals(index, FrameHeader.receiverIndex(buf, 5));
        assertEquals(0x5A, buf[4], "byte before the header untouched");
        assertEquals(0x5A, buf[5 + FrameHeader.LENGTH], "byte after the header untouched");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void rejectsDatagramsShorterThanTheHeader(int length) {
        byte[] buf = Arrays.copyOf(header(FrameType.DATA, 1), length);

        assertReason(WireException.Reason.TRUNCATED, buf, length);
    }

    @Test
    void truncationIsJudgedByLengthNotByBufferSize() {
        assertReason(WireException.Reason.TRUNCATED, header(FrameType.CONTROL, 0), 7);
    }

    static IntStream foreignFirstBytes() {
        // RFC 7983: 0-3 STUN, 20-63 DTLS; plus the neighbours of our own codes and a few others.
        return IntStream.concat(IntStream.concat(IntStream.rangeClosed(0, 3), IntStream.rangeClosed(20, 63)),
                IntStream.of(4, 19, 64, 0xA0, 0xA6, 0xFF));
    }

    @ParameterizedTest
    @MethodSource("foreignFirstBytes")
    void rejectsFirstBytesThatAreNotOurs(int firstByte) {
        byte[] buf = header(FrameType.CONTROL, 0);
        buf[0] = (byte) firstByte;

        assertReason(WireException.Reason.UNKNOWN_TYPE, buf, buf.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xFF})
    void rejectsOtherVersions(int version) {
        byte[] buf = header(FrameType.DATA, 1);
        buf[1] = (byte) version;

        assertReason(WireException.Reason.BAD_VERSION, buf, buf.length);
    }

    private static void assertReason(WireException.Reason reason, byte[] buf, int length) {
        WireException e = assertThrows(WireException.class, () -> FrameHeader.check(buf, 0, length));
        assertEquals(reason, e.reason());
    }
}
