package io.ipop.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesSixHexOctetsMostSignificantFirst() {
        assertEquals(0x02AA_BBCC_DDEEL, MacAddress.parse("02:aa:bb:cc:dd:ee").bits());
    }

    @Test
    void formatsLowerCaseAndParsesAnyCase() {
        MacAddress mac = MacAddress.parse("02:AA:bB:cc:0D:e0");

        assertEquals("02:aa:bb:cc:0d:e0", mac.toString());
        assertEquals(mac, MacAddress.parse(mac.toString()));
    }

    @Test
    void broadcastIsAllOnes() {
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("FF:FF:FF:FF:FF:FF"));
    }

    @Test
    void groupBitIsTheLowBitOfTheFirstOctet() {
        assertTrue(MacAddress.BROADCAST.isGroup());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isGroup(), "IPv4 multicast");
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isGroup(), "IPv6 multicast");
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isGroup(), "locally administered unicast");
        assertFalse(MacAddress.parse("fe:ff:ff:ff:ff:ff").isGroup());
        assertFalse(MacAddress.parse("00:01:00:00:00:00").isGroup(), "the bit is in the first octet, not the second");
        assertTrue(MacAddress.isGroup(0x0100_0000_0000L));
    }

    @Test
    void writeToAndBitsAtUseNetworkOrderAtAnOffset() {
        byte[] buf = new byte[10];
        MacAddress.parse("02:aa:bb:cc:dd:ee").writeTo(buf, 3);

        assertArrayEquals(new byte[] {0, 0, 0, 0x02, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee, 0}, buf);
        assertEquals(0x02AA_BBCC_DDEEL, MacAddress.bitsAt(buf, 3));
        assertEquals(MacAddress.parse("02:aa:bb:cc:dd:ee"), MacAddress.of(buf, 3));
    }

    @Test
    void highOctetsReadBackUnsigned() {
        byte[] buf = {(byte) 0xff, (byte) 0x80, (byte) 0x81, (byte) 0xfe, (byte) 0x90, (byte) 0xa0};

        assertEquals(0xFF80_81FE_90A0L, MacAddress.bitsAt(buf, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:aa:bb:cc:dd", "02:aa:bb:cc:dd:ee:ff", "02-aa-bb-cc-dd-ee", "2:aa:bb:cc:dd:ee",
            "002:aa:bb:cc:dd:e", "0g:aa:bb:cc:dd:ee", "02:aa:bb:cc:dd:", "02aabbccddee", " 02:aa:bb:cc:dd:ee"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    }

    @Test
    void rejectsSignedOctets() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("+2:+a:00:00:00:0a"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("-0:00:00:00:00:0a"));
    }

    @Test
    void rejectsMoreThan48Bits() {
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(-1));
    }
}
