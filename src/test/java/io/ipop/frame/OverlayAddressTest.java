package io.ipop.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OverlayAddressTest {

    private static OverlayAddress parse(String text) {
        return OverlayAddress.parse(text, true);
    }

    @Test
    void parsesAddressAndPrefix() {
        OverlayAddress a = parse("10.77.0.1/24");

        assertEquals(0x0A4D_0001, a.address());
        assertEquals(24, a.prefixLength());
        assertEquals("10.77.0.1", a.ip());
        assertEquals("10.77.0.1/24", a.toString());
    }

    @Test
    void highOctetsRoundTrip() throws Exception {
        OverlayAddress a = parse("255.254.128.1/8");

        assertEquals(0xFFFE_8001, a.address());
        assertEquals("255.254.128.1/8", a.toString());
        assertEquals(InetAddress.getByName("255.254.128.1"), a.inetAddress());
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertEquals(parse("10.77.0.1/24"), parse(" 10.77.0.1/24 "));
    }

    @ParameterizedTest
    @CsvSource({"24, 0xFFFFFF00, 255.255.255.0", "16, 0xFFFF0000, 255.255.0.0", "32, 0xFFFFFFFF, 255.255.255.255",
            "1, 0x80000000, 128.0.0.0", "30, 0xFFFFFFFC, 255.255.255.252"})
    void netmaskHasPrefixLengthLeadingOnes(int prefix, String mask, String dotted) throws Exception {
        OverlayAddress a = new OverlayAddress(0x0A4D_0001, prefix);

        assertEquals(Integer.parseUnsignedInt(mask.substring(2), 16), a.netmask());
        assertEquals(InetAddress.getByName(dotted), a.netmaskAddress());
    }

    @Test
    void sameSubnetComparesTheBitsUnderTheNetmask() {
        OverlayAddress a = parse("10.77.0.1/24");

        assertTrue(a.sameSubnet(parse("10.77.0.254/24")));
        assertFalse(a.sameSubnet(parse("10.77.1.1/24")));
        assertTrue(parse("10.77.0.1/16").sameSubnet(parse("10.77.200.9/16")));
        assertFalse(parse("10.77.0.1/16").sameSubnet(parse("10.78.0.1/16")));
        assertTrue(parse("10.77.0.1/32").sameSubnet(parse("10.77.0.1/32")));
        assertFalse(parse("10.77.0.1/32").sameSubnet(parse("10.77.0.2/32")));
    }

    @Test
    void bareAddressIsASlash32WhenPrefixIsOptional() {
        assertEquals(new OverlayAddress(0x0A4D_0001, 32), OverlayAddress.parse("10.77.0.1", false));
        assertEquals(new OverlayAddress(0x0A4D_0001, 24), OverlayAddress.parse("10.77.0.1/24", false));
    }

    @Test
    void bareAddressIsRejectedWhenPrefixIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> parse("10.77.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.77.0.256/24", "256.0.0.1/24", "10.77.0/24", "10.77.0.1.5/24", "10..0.1/24",
            "10.77.0.1/", "10.77.0.1/abc", "10.77.0.1/0", "10.77.0.1/33", "10.77.0.-1/24", "0x0a.77.0.1/24",
            "1000.77.0.1/24", "/24", ""})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.77.0.1/+24", "\u0661\u0660.77.0.1/24"})
    void acceptsOnlyAsciiDigitsWithoutSign(String text) {
        assertThrows(IllegalArgumentException.class, () -> parse(text));
    }

    @Test
    void constructorRejectsPrefixOutsideOneToThirtyTwo() {
        assertThrows(IllegalArgumentException.class, () -> new OverlayAddress(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OverlayAddress(0, 33));
    }
}
