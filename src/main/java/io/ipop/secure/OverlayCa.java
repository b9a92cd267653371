package io.ipop.secure;

import io.ipop.frame.OverlayAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The overlay CA kept in a directory: {@code ca.key} (PKCS#8 PEM, mode 0600) and {@code ca.crt}, and the node
 * certificates it signs, {@code NAME.key} and {@code NAME.crt} beside them. Keys are ECDSA P-256, signatures
 * SHA256withECDSA. Certificates are back-dated one hour to tolerate clock skew between nodes.
 *
 * <p>Argument errors (bad name, group, address, validity) are {@link IllegalArgumentException}s thrown before any
 * file is touched; everything that goes wrong with files or keys is a {@link PkiException}. Stateless.
 */
public final class OverlayCa {
    public static final String CA_NAME = "ipop-node overlay CA";
    public static final String CA_KEY = "ca.key";
    public static final String CA_CERTIFICATE = "ca.crt";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private OverlayCa() {
    }

    /** Creates {@code dir} if needed and a new CA in it; refuses to replace an existing one unless {@code force}. */
    public static void init(Path dir, boolean force) throws PkiException {
        Path keyFile = dir.resolve(CA_KEY);
        Path certFile = dir.resolve(CA_CERTIFICATE);
        createDirectories(dir);
        refuseExisting(force, keyFile, certFile);
        KeyPair pair = newKeyPair();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X500Name subject = commonName(CA_NAME);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = build(builder, pair.getPrivate());
            Pem.writePrivateKey(keyFile, pair.getPrivate(), force);
            Pem.writeCertificate(certFile, cert, force);
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot create the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a node certificate with a new key pair, written to {@code dir/NAME.key} (mode 0600) and
     * {@code dir/NAME.crt}. Its validity ends at {@code now + validity} or when the CA expires, whichever is first.
     *
     * @param groups any order, duplicates allowed; stored sorted and unique
     * @throws IllegalArgumentException bad name (or "ca"), group, address (network or broadcast) or validity
     * @throws PkiException no CA in {@code dir}, files exist without {@code force}, I/O or key problems
     */
    public static IssuedCertificate sign(Path dir, String name, OverlayAddress address, List<String> groups,
                                         Duration validity, boolean force) throws PkiException {
        return sign(dir, name, address, groups, AddressGrants.NONE, validity, force);
    }

    /** As {@link #sign(Path, String, OverlayAddress, List, Duration, boolean)}, granting {@code grants} too. */
    public static IssuedCertificate sign(Path dir, String name, OverlayAddress address, List<String> groups,
                                         AddressGrants grants, Duration validity, boolean force) throws PkiException {
        GroupsExtension bound = checkArguments(name, address, groups, grants, validity);
        Path caKeyFile = dir.resolve(CA_KEY);
        Path caCertFile = dir.resolve(CA_CERTIFICATE);
        if (!Files.exists(caKeyFile) || !Files.exists(caCertFile)) {
            throw new PkiException("no CA in " + dir + ": run `ca init --dir " + dir + "` first");
        }
        X509Certificate ca = readCaCertificate(caCertFile);
        PrivateKey caKey = Pem.readPrivateKey(caKeyFile);
        Path keyFile = dir.resolve(name + ".key");
        Path certFile = dir.resolve(name + ".crt");
        refuseExisting(force, keyFile, certFile);

        KeyPair pair = newKeyPair();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant caEnd = ca.getNotAfter().toInstant();
        Instant notAfter = validity.compareTo(Duration.between(now, caEnd)) < 0 ? now.plus(validity) : caEnd;
        X509Certificate cert;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), commonName(name), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.iPAddress, address.ip())))
                    .addExtension(bound.toExtension())
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(ca, ext))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            cert = build(builder, caKey);
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException(caKeyFile + " does not match " + caCertFile + " or cannot sign: " + e.getMessage(), e);
        }
        // Self-check: what we issue must pass exactly the checks peers apply.
        PeerIdentity identity = PeerCertificates.verify(ca, encoded(cert), now);
        Pem.writePrivateKey(keyFile, pair.getPrivate(), force);
        Pem.writeCertificate(certFile, cert, force);
        return new IssuedCertificate(certFile, keyFile, identity);
    }

    /** Reads a CA certificate and checks it is a self-signed CA (the overlay's trust anchor). */
    public static X509Certificate readCaCertificate(Path file) throws PkiException {
        X509Certificate ca = Pem.readCertificate(file);
        if (ca.getBasicConstraints() < 0) {
            throw new PkiException(file + ": not a CA certificate");
        }
        try {
            ca.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + ": not a self-signed CA certificate");
        }
        return ca;
    }

    private static GroupsExtension checkArguments(String name, OverlayAddress address, List<String> groups,
                                                  AddressGrants grants, Duration validity) {
        if (!PeerIdentity.isValidName(name)) {
            throw new IllegalArgumentException("bad node name \"" + name + "\": " + PeerIdentity.NAME_RULE);
        }
        if (name.equals("ca")) {
            throw new IllegalArgumentException("node name \"ca\" is reserved for the CA's own files");
        }
        if (address.prefixLength() <= 30 && ((address.address() & ~address.netmask()) == 0 || (address.address() | address.netmask()) == -1)) {
            throw new IllegalArgumentException(address + " is the network or broadcast address of its subnet");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
        return new GroupsExtension(address, groups, grants);
    }

    private static void createDirectories(Path dir) throws PkiException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PkiException("cannot create directory " + dir + ": " + e, e);
        }
    }

    private static void refuseExisting(boolean force, Path... files) throws PkiException {
        for (Path f : files) {
            if (!force && Files.exists(f)) {
                throw new PkiException(f + " exists; use --force to replace it");
            }
        }
    }

    private static KeyPair newKeyPair() throws PkiException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot generate a P-256 key pair: " + e.getMessage(), e);
        }
    }

    private static X509Certificate build(X509v3CertificateBuilder builder, PrivateKey signingKey) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** Key identifier only (RFC 5280 4.2.1.1), copied from the CA's subject key identifier when it has one. */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate ca, JcaX509ExtensionUtils ext) throws IOException {
        byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski == null) {
            return ext.createAuthorityKeyIdentifier(ca.getPublicKey());
        }
        return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ski)).getKeyIdentifier());
    }

    private static byte[] encoded(X509Certificate cert) throws PkiException {
        try {
            return cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new PkiException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /** Positive, 128 random bits (RFC 5280 4.1.2.2: at most 20 octets, non-zero). */
    private static BigInteger serial() {
        BigInteger s;
        do {
            s = new BigInteger(128, RANDOM);
        } while (s.signum() == 0);
        return s;
    }

    private static X500Name commonName(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }
}
