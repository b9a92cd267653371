package io.ipop.secure;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link PeerCertificates#verify} with a memory: the outcome for each certificate (by the SHA-256 of its DER
 * bytes) against one CA, so a certificate seen before costs a hash and a date check instead of a parse and
 * an ECDSA verification. Forged hellos that carry a copy of a real node's certificate (or the same bad one
 * again) thus cost at most their own signature check. Refusals are remembered too (with their reason); a
 * remembered acceptance is checked again against the validity dates of the certificate and the CA at each
 * use.
 *
 * <p>Bounded: the {@value #MAX} most recently used outcomes. Thread-safe (synchronized; one call per hello
 * that passed the cheap checks).
 */
public final class VerifiedCertificates {
    static final int MAX = 256;

    private final X509Certificate ca;
    private final Map<String, Object> outcomes = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > MAX;
        }
    };
    private long hits;

    public VerifiedCertificates(X509Certificate ca) {
        this.ca = ca;
    }

    /** The CA these certificates are verified against. */
    public X509Certificate ca() {
        return ca;
    }

    /**
     * The identity {@code der} proves at {@code now}.
     *
     * @throws PkiException as {@link PeerCertificates#verify} does (the same reason for a remembered refusal)
     */
    public PeerIdentity verify(byte[] der, Instant now) throws PkiException {
        String key = sha256(der);
        Object known;
        synchronized (this) {
            known = outcomes.get(key);
            if (known != null) {
                hits++;
            }
        }
        if (known instanceof PeerIdentity id) {
            PeerCertificates.checkValidity("certificate", id.certificate(), now);
            PeerCertificates.checkValidity("overlay CA certificate", ca, now);
            return id;
        }
        if (known instanceof String refusal) {
            throw new PkiException(refusal);
        }
        try {
            PeerIdentity id = PeerCertificates.verify(ca, der, now);
            remember(key, id);
            return id;
        } catch (PkiException e) {
            if (!e.getMessage().contains("not valid before") && !e.getMessage().contains("expired on")) {
                remember(key, e.getMessage());          // dates change with time; the rest does not
            }
            throw e;
        }
    }

    /** Uses that found the outcome remembered. */
    public synchronized long hits() {
        return hits;
    }

    private synchronized void remember(String key, Object outcome) {
        outcomes.put(key, outcome);
    }

    private static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
