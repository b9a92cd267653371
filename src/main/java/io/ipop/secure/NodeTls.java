package io.ipop.secure;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS (JSSE, over TCP) with the overlay's own PKI, for the cluster port: each side presents its node certificate,
 * trusts only the overlay CA, and requires the other side's certificate (mutual authentication). Host names are
 * not checked: nodes are identified by the CA, not by DNS.
 *
 * <p>The key and trust stores live in memory only (PKCS12 objects never written to disk), so no key material or
 * store password leaves the PEM files the operator already protects. Thread-safe once built.
 */
public final class NodeTls {
    /** TLS 1.3 only: every node runs this code, so there is no older peer to talk to. */
    public static final String PROTOCOL = "TLSv1.3";
    private static final char[] IN_MEMORY = new char[0];
    private static final String NODE_ALIAS = "node";
    private static final String CA_ALIAS = "overlay-ca";

    private final SSLContext context;
    private final X509Certificate ca;

    private NodeTls(SSLContext context, X509Certificate ca) {
        this.context = context;
        this.ca = ca;
    }

    /** The TLS context of {@code identity}: its certificate and key, the overlay CA as the only trust anchor. */
    public static NodeTls of(NodeIdentity identity) throws PkiException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(identity), IN_MEMORY);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trustStore(identity.ca()));
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return new NodeTls(context, identity.ca());
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build the TLS context of node " + identity.name() + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS12 store (in memory, empty password) holding the node's key with its chain: node certificate, CA. */
    public static KeyStore keyStore(NodeIdentity identity) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        store.setKeyEntry(NODE_ALIAS, identity.privateKey(), IN_MEMORY,
                new Certificate[] {identity.certificate(), identity.ca()});
        return store;
    }

    /** A PKCS12 store (in memory) whose only entry is the overlay CA: the only certificate a peer may chain to. */
    public static KeyStore trustStore(X509Certificate ca) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        store.setCertificateEntry(CA_ALIAS, ca);
        return store;
    }

    /** The accepting side: asks for and requires the connecting node's certificate. */
    public SSLEngine serverEngine() {
        SSLEngine engine = engine(false);
        engine.setNeedClientAuth(true);
        return engine;
    }

    /** The connecting side; {@code host} and {@code port} only label the session (no host name check). */
    public SSLEngine clientEngine(String host, int port) {
        SSLEngine engine = context.createSSLEngine(host, port);
        configure(engine, true);
        return engine;
    }

    /**
     * After the handshake: the peer's certificate must also pass the overlay's own checks (a node certificate of
     * this CA, valid now, with a name, address and groups), as on the UDP links. JSSE has already checked the chain.
     *
     * @return the problem, empty if the peer is a node of this overlay
     */
    public Optional<PkiException> verifyPeer(SSLSession session) {
        try {
            verifiedPeer(session);
            return Optional.empty();
        } catch (PkiException e) {
            return Optional.of(e);
        }
    }

    /** Like {@link #verifyPeer}, returning what the peer's certificate binds (its node name is the member's identity). */
    public PeerIdentity verifiedPeer(SSLSession session) throws PkiException {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return PeerCertificates.verify(ca, chain[0].getEncoded(), Instant.now());
        } catch (SSLPeerUnverifiedException e) {
            throw new PkiException("cluster peer presented no certificate", e);
        } catch (GeneralSecurityException e) {
            throw new PkiException("cluster peer certificate unreadable: " + e.getMessage(), e);
        }
    }

    private SSLEngine engine(boolean client) {
        SSLEngine engine = context.createSSLEngine();
        configure(engine, client);
        return engine;
    }

    private static void configure(SSLEngine engine, boolean client) {
        engine.setUseClientMode(client);
        engine.setEnabledProtocols(new String[] {PROTOCOL});
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, IN_MEMORY);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty PKCS12 store", e);
        }
        return store;
    }
}
