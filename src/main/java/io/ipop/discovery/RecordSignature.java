package io.ipop.discovery;

import io.ipop.secure.NodeIdentity;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Signs and checks {@link PeerRecord}s: SHA256withECDSA by the key of the certificate the record carries, over
 * every field but the signature, each written as its length and its bytes so no value can run into the next:
 *
 * <pre>
 * "ipop-record/1\n"
 * then for name, instance, address (a.b.c.d/p), mac, endpoints (joined by ','), groups (joined by ','),
 *          certificate (base64 DER), member:   decimal UTF-8 length ":" UTF-8 bytes "\n"
 * </pre>
 *
 * A record whose signature verifies was written by the holder of its certificate's key; {@link #matches} then
 * ties it to the certificate's name, address and groups. The member field is signed too, so a record cannot be
 * moved to another cluster member. Stateless, thread-safe.
 */
public final class RecordSignature {
    private static final String ALGORITHM = "SHA256withECDSA";
    private static final String DOMAIN = "ipop-record/1\n";

    private RecordSignature() {
    }

    /** The bytes the signature covers. */
    static byte[] canonical(PeerRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        out.writeBytes(DOMAIN.getBytes(StandardCharsets.UTF_8));
        for (String field : List.of(r.name(), r.instance(), r.address().toString(), r.mac().toString(),
                String.join(",", r.endpoints().stream().map(Endpoint::toString).toList()), String.join(",", r.groups()),
                r.certificate() == null ? "" : r.certificate(), r.member())) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** {@code r} with this node's certificate and its signature. */
    public static PeerRecord sign(PeerRecord r, NodeIdentity identity) {
        PeerRecord withCertificate = new PeerRecord(r.name(), r.instance(), r.address(), r.mac(), r.endpoints(), r.groups(),
                identity.certificateBase64(), r.member(), null);
        return withCertificate.withSignature(sign(canonical(withCertificate), identity.privateKey()));
    }

    /** True if {@code r.signature()} is a valid signature of {@code r} by {@code key}. Never throws. */
    static boolean verify(PeerRecord r, PublicKey key) {
        if (r.signature() == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(canonical(r));
            return s.verify(Base64.getDecoder().decode(r.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The record claims what its (already verified) certificate binds: name, overlay address with prefix, groups. */
    static boolean matches(PeerRecord r, PeerIdentity certified) {
        return certified.name().equals(r.name()) && certified.address().equals(r.address())
                && certified.groups().equals(r.groups());
    }

    private static String sign(byte[] bytes, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(bytes);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the peer record with this node's key", e);
        }
    }
}
