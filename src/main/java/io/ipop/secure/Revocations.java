package io.ipop.secure;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The trust a node places in peer certificates right now: its overlay CA and the certificates it revoked
 * ({@code ipop.security.revoked}: lowercase hex SHA-256 fingerprints of the DER encoding, as
 * {@link PeerCertificates#fingerprint} and {@code /overlay/links} show them). Used both for a hello
 * and to re-verify the certificate of a live link (on every reload and every {@code reverify-interval}),
 * so a link stands only while its peer's certificate is still one this node would accept.
 * Immutable, thread-safe.
 */
public final class Revocations {
    /** No certificate revoked. */
    public static final Revocations NONE = new Revocations(Set.of());

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private final Set<String> revoked;

    private Revocations(Set<String> revoked) {
        this.revoked = revoked;
    }

    /**
     * @param fingerprints each 64 hex digits (either case; a {@code sha256:} prefix, as {@code ca sign} prints it, is allowed)
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public static Revocations of(Collection<String> fingerprints) {
        return new Revocations(fingerprints.stream().map(Revocations::normalized).collect(Collectors.toUnmodifiableSet()));
    }

    /** {@code text} as the lowercase hex form compared against; throws for anything else. */
    public static String normalized(String text) {
        String hex = text.strip().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:")) {
            hex = hex.substring("sha256:".length());
        }
        if (!FINGERPRINT.matcher(hex).matches()) {
            throw new IllegalArgumentException("\"" + PeerCertificates.quoted(text, 80)
                    + "\" is not a SHA-256 certificate fingerprint (64 hex digits)");
        }
        return hex;
    }

    public boolean isRevoked(String fingerprint) {
        return revoked.contains(fingerprint);
    }

    public boolean isEmpty() {
        return revoked.isEmpty();
    }

    public Set<String> fingerprints() {
        return revoked;
    }

    /** Why {@code peer}'s certificate is refused as revoked, in operator words (names the key). */
    public static String why(PeerIdentity peer) {
        return "revoked: certificate of " + peer.name() + " (sha256 " + peer.fingerprint()
                + ") is listed in ipop.security.revoked";
    }

    /**
     * Re-verifies a certificate accepted earlier (a live link's) against {@code ca} at {@code now} and this
     * list: empty if it still stands, else why not (revoked, expired, no longer issued by the CA).
     */
    public Optional<String> recheck(X509Certificate ca, X509Certificate cert, Instant now) {
        PeerIdentity peer;
        try {
            peer = PeerCertificates.verify(ca, cert.getEncoded(), now);
        } catch (PkiException e) {
            return Optional.of("no longer trusted: " + e.getMessage());
        } catch (CertificateEncodingException e) {
            return Optional.of("no longer trusted: certificate cannot be encoded");
        }
        return isRevoked(peer.fingerprint()) ? Optional.of(why(peer)) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Revocations r && r.revoked.equals(revoked);
    }

    @Override
    public int hashCode() {
        return revoked.hashCode();
    }

    @Override
    public String toString() {
        return "Revocations" + revoked;
    }
}
