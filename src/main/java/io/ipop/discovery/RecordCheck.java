package io.ipop.discovery;

import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.PkiException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Decides which records of the cluster directory may be followed. With the overlay CA, a record is accepted iff,
 * in this order (cheap checks first):
 * <ol>
 *   <li>it is filed under its own name;</li>
 *   <li>it carries a certificate and a signature;</li>
 *   <li>with cluster TLS, the member it names presented, on this node's TLS connection to it, a certificate of the
 *       same name ({@link MemberCertificates}); until this node has connected to that member the record is
 *       pending: neither followed nor refused. Checked before any cryptography, so records a member writes in
 *       other names cost a map lookup, whatever certificates they carry;</li>
 *   <li>the certificate is a node certificate of the CA, valid now ({@link PeerCertificates#verify}; one ECDSA
 *       verification per distinct certificate, {@value #CERTIFICATES_REMEMBERED} verdicts remembered);</li>
 *   <li>the record's name, overlay address and groups are the certificate's;</li>
 *   <li>the signature verifies with the certificate's key ({@link RecordSignature}; one verification per distinct
 *       record).</li>
 * </ol>
 * Without a CA nothing can be checked but rule 1 (a plain cluster: docs/discovery.md says what that allows).
 * Each refused record is counted once under its {@link RecordRefusal}. Not thread-safe: one actor owns it.
 */
final class RecordCheck {
    /** Distinct certificates whose verdict is remembered; a flood of new ones only costs verifications. */
    private static final int CERTIFICATES_REMEMBERED = 1024;

    /**
     * What is known of one record: {@code signed} is the verdict of rules 4-6 once computed ({@code checked}),
     * {@code notAfter} its certificate's end when it passed; {@code counted} the refusal already counted for it.
     */
    private record Seen(PeerRecord record, boolean checked, RecordRefusal signed, Instant notAfter, RecordRefusal counted) {
        Seen withSigned(RecordRefusal verdict, Instant end) {
            return new Seen(record, true, verdict, end, counted);
        }

        Seen withCounted(RecordRefusal refusal) {
            return new Seen(record, checked, signed, notAfter, refusal);
        }
    }

    private final Optional<X509Certificate> ca;
    private final Optional<MemberCertificates> tls;
    private final RecordCounters counters;
    private final Supplier<Instant> clock;
    private Map<String, Seen> seen = new HashMap<>();
    private final Map<String, Optional<PeerIdentity>> certificates = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<PeerIdentity>> eldest) {
            return size() > CERTIFICATES_REMEMBERED;
        }
    };
    private final Set<String> pendingMembers = new TreeSet<>();

    /**
     * @param ca  the overlay CA; empty on a node without certificates (records are then not checked)
     * @param tls what the cluster's TLS connections showed of each member; empty without cluster TLS
     */
    RecordCheck(Optional<X509Certificate> ca, Optional<MemberCertificates> tls, RecordCounters counters, Supplier<Instant> clock) {
        this.ca = ca;
        this.tls = tls;
        this.counters = counters;
        this.clock = clock;
    }

    /** The records of {@code directory} (by map key) that may be followed, by name; {@code self}'s own is left out. */
    Map<String, PeerRecord> accepted(Map<String, PeerRecord> directory, String self) {
        Instant now = clock.get();
        Map<String, Seen> next = new HashMap<>();
        Map<String, PeerRecord> accepted = new HashMap<>();
        pendingMembers.clear();
        directory.forEach((key, r) -> {
            if (r == null || key.equals(self)) {
                return;
            }
            Seen before = seen.get(key);
            Seen s = before != null && before.record().equals(r) ? before : new Seen(r, false, null, null, null);
            RecordRefusal verdict = unsignedOrMisfiled(key, r);
            boolean pending = false;
            if (verdict == null && tls.isPresent()) {
                Optional<String> presented = tls.get().nameAt(r.member());
                if (presented.isEmpty()) {
                    pending = true;
                    pendingMembers.add(r.member());
                } else if (!presented.get().equals(r.name())) {
                    verdict = RecordRefusal.WRONG_MEMBER;
                }
            }
            if (verdict == null && !pending && ca.isPresent()) {
                if (!s.checked()) {
                    s = signed(s, now);
                }
                verdict = s.signed() != null ? s.signed()
                        : now.isAfter(s.notAfter()) ? RecordRefusal.BAD_CERTIFICATE : null;   // expired since
            }
            if (verdict != null && verdict != s.counted()) {
                counters.refuse(verdict);
                s = s.withCounted(verdict);
            }
            next.put(key, s);
            if (verdict == null && !pending) {
                accepted.put(key, r);
            }
        });
        seen = next;
        counters.pending(pendingMembers.size());
        return accepted;
    }

    /** Members whose records wait for this node to connect to them over TLS (see rule 3). */
    Set<String> pendingMembers() {
        return Set.copyOf(pendingMembers);
    }

    /** Rules 1 and 2. */
    private RecordRefusal unsignedOrMisfiled(String key, PeerRecord r) {
        if (!key.equals(r.name())) {
            return RecordRefusal.MISFILED;
        }
        if (ca.isPresent() && (r.certificate() == null || r.signature() == null)) {
            return RecordRefusal.UNSIGNED;
        }
        return null;
    }

    /** Rules 4 to 6. */
    private Seen signed(Seen s, Instant now) {
        PeerRecord r = s.record();
        Optional<PeerIdentity> certified = certificates.computeIfAbsent(r.certificate(), c -> verifyCertificate(c, now));
        if (certified.isEmpty() || now.isAfter(certified.get().certificate().getNotAfter().toInstant())) {
            return s.withSigned(RecordRefusal.BAD_CERTIFICATE, null);
        }
        if (!RecordSignature.matches(r, certified.get())) {
            return s.withSigned(RecordRefusal.IDENTITY_MISMATCH, null);
        }
        if (!RecordSignature.verify(r, certified.get().certificate().getPublicKey())) {
            return s.withSigned(RecordRefusal.BAD_SIGNATURE, null);
        }
        return s.withSigned(null, certified.get().certificate().getNotAfter().toInstant());
    }

    private Optional<PeerIdentity> verifyCertificate(String base64, Instant now) {
        try {
            return Optional.of(PeerCertificates.verify(ca.orElseThrow(), Base64.getDecoder().decode(base64), now));
        } catch (PkiException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
