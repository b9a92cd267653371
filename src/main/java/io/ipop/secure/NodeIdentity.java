package io.ipop.secure;

import io.ipop.frame.OverlayAddress;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * A node's verified identity: its certificate (issued by the overlay CA), the matching private key,
 * the CA certificate, and what the certificate binds: node name, overlay address and groups.
 *
 * @param groups sorted, without duplicates
 */
public record NodeIdentity(String name, OverlayAddress address, List<String> groups, X509Certificate certificate,
                           PrivateKey privateKey, X509Certificate ca) {

    /** The certificate as it travels in hellos and peer records: base64 of its DER encoding. */
    public String certificateBase64() {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the certificate of " + name, e);
        }
    }
}
