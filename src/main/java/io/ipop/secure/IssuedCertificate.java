package io.ipop.secure;

import java.nio.file.Path;
import java.time.Instant;

/** A node certificate just issued by {@link OverlayCa#sign}: where its files are and what it binds. */
public record IssuedCertificate(Path certificateFile, Path keyFile, PeerIdentity identity) {

    /** End of the certificate's validity. */
    public Instant notAfter() {
        return identity.certificate().getNotAfter().toInstant();
    }
}
