package io.ipop.secure;

import io.ipop.frame.OverlayAddress;
import java.io.IOException;
import java.util.List;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The ipop-node private certificate extension: the node's overlay address with its prefix and its groups.
 * Non-critical, so generic X.509 tools accept the certificate; ipop-node requires it on node certificates.
 *
 * <pre>
 * OID 2.25.293434177796363830160002298843816315652   (UUID dcc15df1-e856-43f6-8f18-f8289d50cb04, X.667)
 *
 * IpopNodeGroups ::= SEQUENCE {
 *     address  UTF8String,              -- "10.77.0.1/24": overlay IPv4 address and prefix length
 *     groups   SEQUENCE OF UTF8String,  -- sorted, unique, each [A-Za-z0-9][A-Za-z0-9._-]{0,63}, at most 64
 *     grants   SEQUENCE {               -- OPTIONAL: absent when nothing is granted (see AddressGrants)
 *         routes  SEQUENCE OF UTF8String,  -- "192.168.50.0/24", "fd00:50::/64": networks behind the node
 *         ip6     SEQUENCE OF UTF8String,  -- "fd77::1": the node's own IPv6 addresses
 *         router  BOOLEAN                  -- may send IPv6 router advertisements and redirects
 *     } OPTIONAL
 * }
 * </pre>
 *
 * @param groups sorted and unique (see {@link PeerIdentity#normalizeGroups})
 */
public record GroupsExtension(OverlayAddress address, List<String> groups, AddressGrants grants) {

    public static final ASN1ObjectIdentifier OID =
            new ASN1ObjectIdentifier("2.25.293434177796363830160002298843816315652");

    /** Upper bound on the extension value we parse; 64 groups of 64 characters fit well inside. */
    private static final int MAX_ENCODED = 8192;

    /** @throws IllegalArgumentException if a group is invalid or there are too many */
    public GroupsExtension {
        groups = PeerIdentity.normalizeGroups(groups);
    }

    /** An extension that grants nothing beyond the address: encoded exactly as before grants existed. */
    public GroupsExtension(OverlayAddress address, List<String> groups) {
        this(address, groups, AddressGrants.NONE);
    }

    /** DER of {@code IpopNodeGroups}. */
    public byte[] encoded() {
        ASN1EncodableVector names = new ASN1EncodableVector();
        groups.forEach(g -> names.add(new DERUTF8String(g)));
        try {
            ASN1EncodableVector fields = new ASN1EncodableVector();
            fields.add(new DERUTF8String(address.toString()));
            fields.add(new DERSequence(names));
            if (!grants.isEmpty()) {
                fields.add(new DERSequence(new ASN1Encodable[] {strings(grants.routes()),
                        strings(grants.ip6().stream().map(a -> a.toString().replace("/128", "")).toList()),
                        ASN1Boolean.getInstance(grants.router())}));
            }
            return new DERSequence(fields).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of an in-memory sequence failed", e);
        }
    }

    private static DERSequence strings(List<String> values) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        values.forEach(s -> v.add(new DERUTF8String(s)));
        return new DERSequence(v);
    }

    private static List<String> strings(ASN1Encodable sequence) {
        ASN1Sequence seq = ASN1Sequence.getInstance(sequence);
        if (seq.size() > AddressGrants.MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + AddressGrants.MAX_ENTRIES + " entries");
        }
        String[] out = new String[seq.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ASN1UTF8String.getInstance(seq.getObjectAt(i)).getString();
        }
        return List.of(out);
    }

    /** As a non-critical X.509 extension. */
    public Extension toExtension() {
        return new Extension(OID, false, encoded());
    }

    /**
     * Parses the extension value (the contents of extnValue). Strict: exactly one DER object, exactly two fields,
     * address with a prefix, valid groups (their order and duplicates are normalised).
     *
     * @throws PkiException "... groups extension is malformed: ..." on anything else
     */
    public static GroupsExtension parse(byte[] value) throws PkiException {
        if (value.length > MAX_ENCODED) {
            throw malformed("too large (" + value.length + " bytes)");
        }
        try {
            if (!(ASN1Primitive.fromByteArray(value) instanceof ASN1Sequence seq)) {
                throw malformed("not a DER SEQUENCE");
            }
            if (seq.size() != 2 && seq.size() != 3) {
                throw malformed("expected 2 or 3 fields, found " + seq.size());
            }
            String address = ASN1UTF8String.getInstance(seq.getObjectAt(0)).getString();
            ASN1Sequence names = ASN1Sequence.getInstance(seq.getObjectAt(1));
            String[] groups = new String[names.size()];
            for (int i = 0; i < groups.length; i++) {
                groups[i] = ASN1UTF8String.getInstance(names.getObjectAt(i)).getString();
            }
            AddressGrants grants = AddressGrants.NONE;
            if (seq.size() == 3) {
                ASN1Sequence g = ASN1Sequence.getInstance(seq.getObjectAt(2));
                if (g.size() != 3) {
                    throw malformed("grants: expected 3 fields, found " + g.size());
                }
                grants = AddressGrants.parse(strings(g.getObjectAt(0)), strings(g.getObjectAt(1)),
                        ASN1Boolean.getInstance(g.getObjectAt(2)).isTrue());
                if (grants.isEmpty()) {
                    throw malformed("grants present but empty (not canonical)");
                }
            }
            return new GroupsExtension(OverlayAddress.parse(address, true), List.of(groups), grants);
        } catch (IOException | IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static PkiException malformed(String why) {
        return new PkiException("certificate's ipop-node groups extension is malformed: " + why);
    }
}
