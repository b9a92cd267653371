package io.ipop.secure;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * What the client and the server side of our DTLS handshake share: the policy (DTLS 1.2 only, two
 * ECDHE-ECDSA AES-GCM suites, extended master secret), our credentials, the peer check, and the key
 * export. One instance per handshake, used only by its handshake thread.
 */
final class DtlsPeer {
    static final ProtocolVersion[] VERSIONS = ProtocolVersion.DTLSv12.only();
    static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    };
    private static final SignatureAndHashAlgorithm SIGNATURE =
            SignatureScheme.getSignatureAndHashAlgorithm(SignatureScheme.ecdsa_secp256r1_sha256);

    private final JcaTlsCrypto crypto;
    private final NodeIdentity local;
    private final byte[] expectedPeerCertificateDer;
    private final long deadlineNanos;
    private String rejection;
    private SessionKeys keys;

    DtlsPeer(JcaTlsCrypto crypto, NodeIdentity local, byte[] expectedPeerCertificateDer, long deadlineNanos) {
        this.crypto = crypto;
        this.local = local;
        this.expectedPeerCertificateDer = expectedPeerCertificateDer.clone();
        this.deadlineNanos = deadlineNanos;
    }

    JcaTlsCrypto crypto() {
        return crypto;
    }

    /** Time left for BC's own handshake timer (it retransmits on its own within it, RFC 6347 §4.2.4). */
    int remainingMillis() {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    /** Our certificate (alone: the peer knows the CA) and key, signing with ecdsa_secp256r1_sha256. */
    TlsCredentialedSigner credentials(TlsContext context) throws IOException {
        TlsCertificate own;
        try {
            own = crypto.createCertificate(local.certificate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.internal_error, "cannot encode our certificate", e);
        }
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, local.privateKey(),
                new Certificate(new TlsCertificate[] {own}), SIGNATURE);
    }

    /**
     * Authenticates the peer: exactly one certificate, signed by our overlay CA and within its validity,
     * and byte-equal to the certificate the peer presented in its already-verified signed hello
     * (DESIGN.md §2.5). Throws bad_certificate (RFC 5246 §7.2.2) and remembers why otherwise.
     */
    void verify(Certificate chain) throws TlsFatalAlert {
        if (chain == null || chain.isEmpty()) {
            throw reject("peer sent no certificate");
        }
        if (chain.getLength() != 1) {
            throw reject("peer sent " + chain.getLength() + " certificates, expected exactly one");
        }
        byte[] der;
        X509Certificate cert;
        try {
            der = chain.getCertificateAt(0).getEncoded();
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IOException | GeneralSecurityException e) {
            throw reject("peer certificate cannot be parsed: " + e.getMessage());
        }
        X509Certificate ca = local.ca();
        try {
            if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
                throw reject("peer certificate not issued by the overlay CA");
            }
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw reject("peer certificate not issued by the overlay CA");
        }
        try {
            cert.checkValidity();
        } catch (GeneralSecurityException e) {
            throw reject("peer certificate is not within its validity period: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(der, expectedPeerCertificateDer)) {
            throw reject("peer certificate does not match the one in its hello");
        }
    }

    private TlsFatalAlert reject(String why) {
        rejection = why;
        return new TlsFatalAlert(AlertDescription.bad_certificate, why);
    }

    /** Why {@link #verify} rejected the peer, or {@code null}. */
    String rejection() {
        return rejection;
    }

    /**
     * Called from notifyHandshakeComplete: the only point where the connection's security parameters
     * (and so the RFC 5705 exporter) are available, as BC clears them when connect/accept returns.
     */
    void exportKeys(TlsContext context) {
        byte[] material = context.exportKeyingMaterial(SessionKeys.EXPORTER_LABEL, null, SessionKeys.EXPORTER_LENGTH);
        int suite = context.getSecurityParametersConnection().getCipherSuite();
        keys = SessionKeys.fromExporter(material, context.isServer(), suiteName(suite));
    }

    /** The keys from {@link #exportKeys}, or {@code null} before the handshake completed. */
    SessionKeys keys() {
        return keys;
    }

    static String suiteName(int suite) {
        return switch (suite) {
            case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 -> "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
            case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 -> "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
            default -> String.format("0x%04X", suite);
        };
    }
}
