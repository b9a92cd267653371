package io.ipop.secure;

import io.ipop.frame.OverlayAddress;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * Checks a peer's node certificate against the overlay CA and reads what it binds. Stateless, thread-safe.
 *
 * <p>A node certificate is accepted iff: it is at most {@value #MAX_DER} bytes of DER; its issuer is the CA's
 * subject and its signature verifies with the CA key; it and the CA are valid at {@code now}; it is not a CA;
 * it has no critical extension other than those listed in {@link #KNOWN_CRITICAL} (RFC 5280 4.2); if it has
 * key usage, that allows digitalSignature; its CN is a valid node name; its subject alternative name holds
 * exactly one IPv4 address; and it carries a well-formed {@link GroupsExtension} whose address equals that one.
 */
public final class PeerCertificates {
    /** Largest node certificate accepted from a peer; ours are about 700 bytes. */
    public static final int MAX_DER = 4096;

    private static final Set<String> KNOWN_CRITICAL = Set.of(
            Extension.basicConstraints.getId(), Extension.keyUsage.getId(), Extension.extendedKeyUsage.getId(),
            Extension.subjectAlternativeName.getId(), GroupsExtension.OID.getId());

    /**
     * Refusals are shown in {@code /overlay/links} and sent back in a {@code con_rej}, whose reason is at most
     * 200 characters; what they quote from a peer's certificate is cut to these lengths (see {@link #quoted}).
     */
    private static final int QUOTED_FIELD = 64;
    private static final int QUOTED_PARSER = 100;

    private PeerCertificates() {
    }

    /**
     * At most {@code max} characters of {@code text}, printable ASCII only (others become '?'), "..." when
     * cut: certificates come from peers, and a refusal that quoted one whole could not be sent back.
     */
    static String quoted(Object text, int max) {
        String s = String.valueOf(text);
        StringBuilder b = new StringBuilder(Math.min(s.length(), max + 3));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return s.length() > max ? b.append("...").toString() : b.toString();
    }

    /**
     * Verifies {@code certificateDer} as a node certificate of the overlay whose CA is {@code ca}.
     *
     * @throws PkiException with a distinct message for each rule broken (see the class comment)
     */
    public static PeerIdentity verify(X509Certificate ca, byte[] certificateDer, Instant now) throws PkiException {
        X509Certificate cert = parse(certificateDer);
        if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new PkiException("certificate not issued by this overlay's CA (issuer is \""
                    + quoted(cert.getIssuerX500Principal(), QUOTED_FIELD) + "\")");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException("certificate not issued by this overlay's CA (signature does not verify with the CA key)");
        }
        checkValidity("certificate", cert, now);
        checkValidity("overlay CA certificate", ca, now);
        if (cert.getBasicConstraints() >= 0) {
            throw new PkiException("certificate is a CA certificate, not a node certificate");
        }
        for (String oid : cert.getCriticalExtensionOIDs() == null ? Set.<String>of() : cert.getCriticalExtensionOIDs()) {
            if (!KNOWN_CRITICAL.contains(oid)) {
                throw new PkiException("certificate has an unsupported critical extension " + quoted(oid, QUOTED_FIELD));
            }
        }
        boolean[] keyUsage = cert.getKeyUsage();
        if (keyUsage != null && !keyUsage[0]) {
            throw new PkiException("certificate's key usage does not allow digital signatures");
        }
        return describe(cert);
    }

    /**
     * Reads name, address and groups from a certificate that is already trusted (such as the node's own, loaded
     * from disk and checked by {@link #verify}). Does not check the issuer, signature or validity.
     */
    public static PeerIdentity describe(X509Certificate cert) throws PkiException {
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(cert.getEncoded());
        } catch (CertificateEncodingException | IOException e) {
            throw new PkiException("certificate cannot be re-encoded: " + e.getMessage(), e);
        }
        String name = commonName(holder.getSubject());
        if (!PeerIdentity.isValidName(name)) {
            throw new PkiException("certificate name \"" + quoted(name, QUOTED_FIELD) + "\" is not a valid node name");
        }
        OverlayAddress sanAddress = ipv4AlternativeName(holder.getExtensions());
        Extension ext = holder.getExtension(GroupsExtension.OID);
        if (ext == null) {
            throw new PkiException("certificate has no ipop-node groups extension");
        }
        GroupsExtension groups = GroupsExtension.parse(ext.getExtnValue().getOctets());
        if (groups.address().address() != sanAddress.address()) {
            throw new PkiException("certificate's subject alternative name " + sanAddress.ip()
                    + " differs from the address in its groups extension " + groups.address());
        }
        return new PeerIdentity(name, groups.address(), groups.groups(), cert, fingerprint(cert), groups.grants());
    }

    /** Lowercase hex SHA-256 of the certificate's DER encoding. */
    public static String fingerprint(X509Certificate cert) throws PkiException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new PkiException("certificate cannot be re-encoded: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Strict DER: one certificate, no trailing bytes, and re-encoding gives the same bytes. */
    private static X509Certificate parse(byte[] der) throws PkiException {
        if (der.length > MAX_DER) {
            throw new PkiException("certificate too large (" + der.length + " bytes, at most " + MAX_DER + ")");
        }
        X509Certificate cert;
        try {
            Certificate asn1 = Certificate.getInstance(ASN1Primitive.fromByteArray(der));
            if (asn1 == null) {
                throw new PkiException("certificate is empty");
            }
            cert = new JcaX509CertificateConverter().getCertificate(new X509CertificateHolder(asn1));
        } catch (IOException | CertificateException | RuntimeException e) {
            // Bouncy Castle reports malformed ASN.1 with several unchecked exception types.
            throw new PkiException("certificate is not a DER X.509 certificate: " + quoted(e.getMessage(), QUOTED_PARSER), e);
        }
        try {
            if (!Arrays.equals(cert.getEncoded(), der)) {
                throw new PkiException("certificate is not in canonical DER encoding");
            }
        } catch (CertificateEncodingException e) {
            throw new PkiException("certificate cannot be re-encoded: " + e.getMessage(), e);
        }
        return cert;
    }

    static void checkValidity(String what, X509Certificate cert, Instant now) throws PkiException {
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            throw new PkiException(what + " not valid before " + cert.getNotBefore().toInstant());
        }
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            throw new PkiException(what + " expired on " + cert.getNotAfter().toInstant());
        }
    }

    private static String commonName(X500Name subject) throws PkiException {
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length != 1 || cns[0].isMultiValued()) {
            throw new PkiException("certificate subject must have exactly one CN, has " + cns.length);
        }
        if (!(cns[0].getFirst().getValue() instanceof ASN1String cn)) {
            throw new PkiException("certificate subject CN is not a string");
        }
        return cn.getString();
    }

    private static OverlayAddress ipv4AlternativeName(Extensions extensions) throws PkiException {
        GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        List<byte[]> ipv4 = names == null ? List.of() : Arrays.stream(names.getNames())
                .filter(n -> n.getTagNo() == GeneralName.iPAddress)
                .map(n -> ASN1OctetString.getInstance(n.getName()).getOctets())
                .filter(b -> b.length == 4)
                .toList();
        if (ipv4.size() != 1) {
            throw new PkiException("certificate must have exactly one IPv4 subject alternative name, has " + ipv4.size());
        }
        byte[] b = ipv4.get(0);
        int address = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        return new OverlayAddress(address, 32);
    }
}
