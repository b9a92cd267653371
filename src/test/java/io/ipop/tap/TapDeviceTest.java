package io.ipop.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ipop.frame.MacAddress;
import org.junit.jupiter.api.Test;

/** The take methods every device has by default: exact arrays the caller owns, null for none, CLOSED at the end. */
class TapDeviceTest {

    private final MemoryTap tap = new MemoryTap("t0", MacAddress.parse("02:00:00:00:00:01"), 1400);
    private final byte[] scratch = new byte[1414];

    @Test
    void aTakenFrameIsAnArrayOfItsOwnExactSize() throws Exception {
        tap.inject(new byte[] {1, 2, 3});
        tap.inject(new byte[] {4, 5});
        byte[] first = tap.takeNow(scratch);
        byte[] second = tap.take(scratch);
        assertArrayEquals(new byte[] {1, 2, 3}, first);
        assertArrayEquals(new byte[] {4, 5}, second);
        assertNotSame(scratch, first);
        scratch[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, first, "the scratch buffer is reused, the frame is not");
    }

    @Test
    void nothingWaitingIsNullAndAClosedDeviceSaysSo() throws Exception {
        assertNull(tap.takeNow(scratch));
        assertNull(tap.take(scratch), "the poll interval passed");
        tap.close();
        assertSame(TapDevice.CLOSED, tap.takeNow(scratch));
        assertSame(TapDevice.CLOSED, tap.take(scratch));
    }
}
