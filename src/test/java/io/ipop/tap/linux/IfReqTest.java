package io.ipop.tap.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.tap.TapException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IfReqTest {

    @Test
    void nameIsNulTerminatedAtOffsetZeroAndTheRestIsZero() {
        byte[] b = new IfReq("ipop9").bytes();
        assertEquals(40, b.length);
        assertArrayEquals(new byte[] {'i', 'p', 'o', 'p', '9', 0}, Arrays.copyOf(b, 6));
        assertTrue(allZero(b, 5, 40));
    }

    @Test
    void fifteenCharacterNameFillsIfnamsizWithTerminator() {
        IfReq req = new IfReq("abcdefghijklmno");
        assertEquals("abcdefghijklmno", req.name());
        assertEquals(0, req.bytes()[15]);
    }

    @Test
    void rejectsNamesLinuxCannotHold() {
        TapException tooLong = assertThrows(TapException.class, () -> new IfReq("abcdefghijklmnop"));
        assertTrue(tooLong.getMessage().contains("at most 15"), tooLong.getMessage());
        assertThrows(TapException.class, () -> new IfReq(""));
        assertThrows(TapException.class, () -> new IfReq(null));
        assertThrows(TapException.class, () -> new IfReq("ip\0op"));
        // 8 characters but 16 bytes in UTF-8.
        assertThrows(TapException.class, () -> new IfReq("éééééééé"));
    }

    @Test
    void txQueueLengthIsTheNativeIntAtTheUnion() {
        byte[] b = new IfReq("ipop0").txQueueLength(4096).bytes();
        ByteBuffer view = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertEquals(4096, view.getInt(16), "ifr_qlen follows the 16-byte ifr_name");
        assertTrue(allZero(b, 20, 40));
    }

    @Test
    void readsBackTheNameTheKernelChose() {
        IfReq req = new IfReq("ipop%d");
        byte[] chosen = {'i', 'p', 'o', 'p', '0', 0};
        System.arraycopy(chosen, 0, req.bytes(), 0, chosen.length);
        assertEquals("ipop0", req.name());
    }

    @Test
    void flagsAreAHostOrderShortAtOffset16() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        IfReq req = new IfReq("ipop9").flags(LibC.IFF_TAP | LibC.IFF_NO_PI);
        byte[] b = req.bytes();
        assertEquals(0x02, b[16]);
        assertEquals(0x10, b[17]);
        assertTrue(allZero(b, 18, 40));
        assertEquals(0x1002, req.flags());
    }

    @Test
    void flagsAreUnsigned() {
        IfReq req = new IfReq("ipop9").flags(0x9043);
        assertEquals(0x9043, req.flags());
    }

    @Test
    void mtuIsAHostOrderIntAtOffset16() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        IfReq req = new IfReq("ipop9").mtu(1400);
        byte[] b = req.bytes();
        assertArrayEquals(new byte[] {0x78, 0x05, 0, 0}, Arrays.copyOfRange(b, 16, 20));
        assertEquals(1400, req.mtu());
    }

    @Test
    void sockaddrInHasHostOrderFamilyZeroPortAndNetworkOrderAddress() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        OverlayAddress address = OverlayAddress.parse("10.99.0.1/24", true);
        IfReq req = new IfReq("ipop9").inet4(address.address());
        byte[] b = req.bytes();
        assertArrayEquals(new byte[] {2, 0, 0, 0, 10, 99, 0, 1}, Arrays.copyOfRange(b, 16, 24));
        assertTrue(allZero(b, 24, 40));
        assertEquals(address.address(), req.inet4());

        byte[] mask = new IfReq("ipop9").inet4(address.netmask()).bytes();
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, 0}, Arrays.copyOfRange(mask, 20, 24));
    }

    @Test
    void hardwareAddressIsSaDataAtOffset18() {
        IfReq req = new IfReq("ipop9");
        byte[] hwaddr = {1, 0, 0x02, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee};
        System.arraycopy(hwaddr, 0, req.bytes(), 16, hwaddr.length);
        assertEquals(MacAddress.parse("02:aa:bb:cc:dd:ee"), req.hardwareAddress());
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
