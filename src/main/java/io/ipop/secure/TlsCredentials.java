package io.ipop.secure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What an HTTPS server presents: a certificate chain (leaf first) and the leaf's private key. Used by the
 * management API; the node certificate works ({@link #of(NodeIdentity)}), so does any other server
 * certificate (an EC or RSA key). Held in memory only, like {@link NodeTls}. Immutable.
 */
public record TlsCredentials(List<X509Certificate> chain, PrivateKey key) {
    private static final char[] IN_MEMORY = new char[0];
    private static final long MAX_FILE = 64 * 1024;

    public TlsCredentials {
        chain = List.copyOf(chain);
    }

    /** The node certificate with the overlay CA after it. */
    public static TlsCredentials of(NodeIdentity identity) {
        return new TlsCredentials(List.of(identity.certificate(), identity.ca()), identity.privateKey());
    }

    /**
     * Reads {@code certFile} (PEM, one or more certificates, the server's first) and {@code keyFile} (an
     * unencrypted PEM private key). The leaf must be valid now and the key must be its key.
     *
     * @throws PkiException naming the file at fault
     */
    public static TlsCredentials load(Path certFile, Path keyFile) throws PkiException {
        List<X509Certificate> chain = readChain(certFile);
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (CertificateException e) {
            throw new PkiException(certFile + ": certificate not valid now (" + leaf.getNotBefore() + " .. " + leaf.getNotAfter() + ")");
        }
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!matches(key, leaf)) {
            throw new PkiException(keyFile + " is not the private key of " + certFile);
        }
        return new TlsCredentials(chain, key);
    }

    /** A server-side TLS context (TLS 1.2 and 1.3, the JDK's defaults) presenting this chain. */
    public SSLContext serverContext() throws PkiException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, IN_MEMORY);
            store.setKeyEntry("server", key, IN_MEMORY, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, IN_MEMORY);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build the HTTPS context: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readChain(Path file) throws PkiException {
        try (InputStream in = Files.newInputStream(file)) {
            if (Files.size(file) > MAX_FILE) {
                throw new PkiException(file + ": too large for a PEM certificate chain");
            }
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new PkiException(file + ": no PEM CERTIFICATE found");
            }
            return chain;
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new PkiException(file + ": not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    /** EC keys by a test signature, RSA keys by their modulus; other key types are refused. */
    private static boolean matches(PrivateKey key, X509Certificate leaf) throws PkiException {
        if (key.getAlgorithm().equals("EC")) {
            return NodeIdentityLoader.matches(key, leaf.getPublicKey());
        }
        if (key instanceof RSAPrivateCrtKey rsa && leaf.getPublicKey() instanceof RSAPublicKey pub) {
            return rsa.getModulus().equals(pub.getModulus()) && rsa.getPublicExponent().equals(pub.getPublicExponent());
        }
        throw new PkiException("unsupported key type " + key.getAlgorithm() + " (use an EC or RSA key)");
    }
}
