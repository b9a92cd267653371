package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster port's TLS from PEM files made by the project's own CA tool, handshaking two in-memory engines. */
class NodeTlsTest {
    @TempDir
    Path dir;
    private NodeIdentity a;
    private NodeIdentity b;
    private NodeIdentity foreign;

    @BeforeEach
    void issue() throws Exception {
        Path pki = dir.resolve("pki");
        Path other = dir.resolve("other");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of(), Duration.ofDays(1), false);
        OverlayCa.init(other, false);
        OverlayCa.sign(other, "x", OverlayAddress.parse("10.77.0.9/24", true), List.of("blue"), Duration.ofDays(1), false);
        a = load(pki, "a");
        b = load(pki, "b");
        foreign = load(other, "x");
    }

    @Test
    void keyStoreHoldsTheNodeKeyWithItsChainAndTrustStoreOnlyTheCa() throws Exception {
        KeyStore keys = NodeTls.keyStore(a);
        assertEquals(List.of("node"), Collections.list(keys.aliases()));
        assertTrue(keys.isKeyEntry("node"));
        assertEquals(a.privateKey(), keys.getKey("node", new char[0]));
        Certificate[] chain = keys.getCertificateChain("node");
        assertArrayEquals(new Certificate[] {a.certificate(), a.ca()}, chain);

        KeyStore trust = NodeTls.trustStore(a.ca());
        assertEquals(List.of("overlay-ca"), Collections.list(trust.aliases()));
        assertTrue(trust.isCertificateEntry("overlay-ca"));
        assertEquals(a.ca(), trust.getCertificate("overlay-ca"));
    }

    @Test
    void serverRequiresTheClientCertificateAndBothSpeakOnlyTls13() throws Exception {
        NodeTls tls = NodeTls.of(a);
        SSLEngine server = tls.serverEngine();
        SSLEngine client = tls.clientEngine("192.0.2.2", 17355);
        assertTrue(server.getNeedClientAuth());
        assertFalse(server.getUseClientMode());
        assertTrue(client.getUseClientMode());
        assertArrayEquals(new String[] {"TLSv1.3"}, server.getEnabledProtocols());
        assertArrayEquals(new String[] {"TLSv1.3"}, client.getEnabledProtocols());
        // No host name check: the overlay names nodes by certificate, not DNS (the certificate's SAN is the overlay IP).
        assertEquals(null, client.getSSLParameters().getEndpointIdentificationAlgorithm());
    }

    @Test
    void nodesOfOneCaHandshakeAndSeeEachOthersNodeCertificate() throws Exception {
        NodeTls server = NodeTls.of(a);
        NodeTls client = NodeTls.of(b);
        SSLEngine s = server.serverEngine();
        SSLEngine c = client.clientEngine("192.0.2.1", 17355);

        handshake(c, s);

        assertEquals("TLSv1.3", s.getSession().getProtocol());
        assertEquals(b.certificate(), s.getSession().getPeerCertificates()[0]);
        assertEquals(a.certificate(), c.getSession().getPeerCertificates()[0]);
        assertTrue(server.verifyPeer(s.getSession()).isEmpty());
        assertTrue(client.verifyPeer(c.getSession()).isEmpty());
    }

    @Test
    void aClientWithACertificateOfAnotherCaIsRefused() throws Exception {
        SSLEngine s = NodeTls.of(a).serverEngine();
        SSLEngine c = NodeTls.of(foreign).clientEngine("192.0.2.1", 17355);
        assertThrows(SSLException.class, () -> handshake(c, s));
    }

    @Test
    void aServerWithACertificateOfAnotherCaIsRefused() throws Exception {
        SSLEngine s = NodeTls.of(foreign).serverEngine();
        SSLEngine c = NodeTls.of(a).clientEngine("192.0.2.9", 17355);
        SSLException e = assertThrows(SSLException.class, () -> handshake(c, s));
        assertTrue(e.getMessage().contains("certification path") || e.getMessage().contains("PKIX"), e.getMessage());
    }

    @Test
    void aClientWithoutCertificateIsRefused() throws Exception {
        SSLEngine s = NodeTls.of(a).serverEngine();
        javax.net.ssl.SSLContext anonymous = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        anonymous.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
        SSLEngine c = anonymous.createSSLEngine("192.0.2.1", 17355);
        c.setUseClientMode(true);
        assertThrows(SSLException.class, () -> handshake(c, s));
    }

    private static NodeIdentity load(Path pki, String name) throws PkiException {
        return NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
    }

    /** Runs both engines until both finish the handshake (and the client has read the server's last flight). */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            step(client, empty, toServer, toClient, sink);
            step(server, empty, toClient, toServer, sink);
            if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
                // TLS 1.3: the server reports failure of the client's certificate only when it reads its
                // flight; a round trip of application data makes both sides see the outcome.
                exchange(client, server);
                return;
            }
        }
        throw new AssertionError("handshake did not finish: client " + client.getHandshakeStatus()
                + ", server " + server.getHandshakeStatus());
    }

    private static boolean done(SSLEngine e) {
        return e.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING || e.getHandshakeStatus() == HandshakeStatus.FINISHED;
    }

    /** One turn of {@code engine}: read what the other side sent ({@code in}), write what it has to send ({@code out}). */
    private static void step(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
            throws SSLException {
        in.flip();
        while (in.hasRemaining()) {
            int before = in.remaining();
            engine.unwrap(in, sink);
            sink.clear();
            runTasks(engine);
            if (in.remaining() == before) {
                break;
            }
        }
        in.compact();
        for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
            engine.wrap(empty, out);
            runTasks(engine);
        }
        if (engine.isOutboundDone() && engine.isInboundDone()) {
            throw new SSLException("engine closed during handshake");
        }
    }

    private static void exchange(SSLEngine client, SSLEngine server) throws SSLException {
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        ByteBuffer plain = ByteBuffer.allocate(1 << 16);
        client.wrap(ByteBuffer.wrap(new byte[] {42}), wire);
        wire.flip();
        server.unwrap(wire, plain);
        runTasks(server);
        if (plain.position() != 1 || server.isInboundDone()) {
            throw new SSLException("server did not accept the client's data");
        }
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static final class TrustAll implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
