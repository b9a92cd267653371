package io.ipop.secure;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Loads this node's identity from its three PEM files and checks them before the node uses them: the CA file is a
 * self-signed CA, the certificate passes {@link PeerCertificates#verify} against it now (the same checks peers will
 * apply), and the private key is the certificate's. Every error names the file at fault.
 */
public final class NodeIdentityLoader {
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeIdentityLoader() {
    }

    public static NodeIdentity load(Path ca, Path cert, Path key) throws PkiException {
        X509Certificate caCertificate = OverlayCa.readCaCertificate(ca);
        X509Certificate certificate = Pem.readCertificate(cert);
        PrivateKey privateKey = Pem.readPrivateKey(key);
        PeerIdentity identity;
        try {
            identity = PeerCertificates.verify(caCertificate, certificate.getEncoded(), Instant.now());
        } catch (PkiException e) {
            throw new PkiException(cert + ": " + e.getMessage() + " (CA " + ca + ")", e);
        } catch (CertificateEncodingException e) {
            throw new PkiException(cert + ": cannot encode certificate: " + e.getMessage(), e);
        }
        if (!matches(privateKey, certificate.getPublicKey())) {
            throw new PkiException(key + " is not the private key of " + cert);
        }
        return new NodeIdentity(identity.name(), identity.address(), identity.groups(), certificate, privateKey,
                caCertificate);
    }

    /** Signs a random challenge with {@code privateKey} and verifies it with {@code publicKey} (SHA256withECDSA). */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // not an EC key, or keys of different curves: not a match
        }
    }
}
