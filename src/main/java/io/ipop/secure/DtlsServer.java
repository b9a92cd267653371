package io.ipop.secure;

import java.io.IOException;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsUtils;

/**
 * The server side of our DTLS handshake; all policy lives in {@link DtlsPeer}. It always requests a
 * client certificate (RFC 5246 §7.4.4) and rejects an empty one.
 */
final class DtlsServer extends DefaultTlsServer {
    private final DtlsPeer peer;

    DtlsServer(DtlsPeer peer) {
        super(peer.crypto());
        this.peer = peer;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return DtlsPeer.VERSIONS;
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return DtlsPeer.CIPHER_SUITES.clone();
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return true;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return peer.remainingMillis();
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return peer.credentials(context);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign},
                TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        peer.verify(clientCertificate);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        peer.exportKeys(context);
    }
}
