package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.junit.jupiter.api.Test;

class GroupsExtensionTest {
    private static final OverlayAddress A = OverlayAddress.parse("10.77.0.1/24", true);

    @Test
    void roundTripsAndNormalisesGroups() throws Exception {
        GroupsExtension ext = new GroupsExtension(A, List.of("red", "blue", "red"));
        assertEquals(List.of("blue", "red"), ext.groups());

        assertEquals(ext, GroupsExtension.parse(ext.encoded()));
        assertEquals(new GroupsExtension(A, List.of()), GroupsExtension.parse(new GroupsExtension(A, List.of()).encoded()));
    }

    @Test
    void grantsRoundTripAndAnExtensionWithoutThemIsEncodedAsBefore() throws Exception {
        AddressGrants grants = AddressGrants.parse(List.of("192.168.50.0/24", "fd00:50::/64"), List.of("fd77::1/64"), true);
        GroupsExtension ext = new GroupsExtension(A, List.of("red"), grants);
        GroupsExtension back = GroupsExtension.parse(ext.encoded());
        assertEquals(grants, back.grants());
        assertEquals(ext, back);
        GroupsExtension plain = new GroupsExtension(A, List.of("red"));
        assertEquals(2, org.bouncycastle.asn1.ASN1Sequence.getInstance(plain.encoded()).size(), "no third field without grants");
        assertEquals(AddressGrants.NONE, GroupsExtension.parse(plain.encoded()).grants());
    }

    @Test
    void oidIsUnderTheUuidArc() {
        assertTrue(GroupsExtension.OID.getId().startsWith("2.25."));
        assertFalse(new GroupsExtension(A, List.of()).toExtension().isCritical());
    }

    @Test
    void rejectsMalformedValues() throws Exception {
        assertMalformed(new byte[0]);
        assertMalformed(new byte[] {0x30, 0x05, 1});
        assertMalformed(new DERUTF8String("10.77.0.1/24").getEncoded());
        assertMalformed(seq(new DERUTF8String("10.77.0.1/24")));
        assertMalformed(seq(new DERUTF8String("10.77.0.1"), new DERSequence()));
        assertMalformed(seq(new DERUTF8String("10.77.0.1/24"), new DERSequence(new DERUTF8String("bad group"))));
        assertMalformed(seq(new DERUTF8String("10.77.0.1/24"), new DERUTF8String("red")));
        byte[] good = new GroupsExtension(A, List.of("red")).encoded();
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        assertMalformed(trailing);
    }

    private static byte[] seq(ASN1Encodable... items) throws Exception {
        return new DERSequence(items).getEncoded();
    }

    private static void assertMalformed(byte[] value) {
        PkiException e = assertThrows(PkiException.class, () -> GroupsExtension.parse(value));
        assertTrue(e.getMessage().startsWith("certificate's ipop-node groups extension is malformed"), e.getMessage());
    }
}
