package io.ipop.secure;

import java.io.IOException;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsServerCertificate;

/** The client side of our DTLS handshake; all policy lives in {@link DtlsPeer}. */
final class DtlsClient extends DefaultTlsClient {
    private final DtlsPeer peer;

    DtlsClient(DtlsPeer peer) {
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
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                peer.verify(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return peer.credentials(context);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        peer.exportKeys(context);
    }
}
