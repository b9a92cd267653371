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
 * in this order (cheap checks first, one ECDSA verification per distinct record and one per distinct certificate):
 * <ol>
 *   <li>it is filed under its own name;</li>
 *   <li>it carries a certificate and a signature;</li>
 *   <li>the certificate is a node certificate of the CA, valid now ({@link PeerCertificates#verify});</li>
 *   <li>the record's name, overlay address and groups are the certificate's;</li>
 *   <li>the signature verifies with the certificate's key ({@link RecordSignature});</li>
 *   <li>with cluster TLS, the member it names presented, on this node's TLS connection to it, a certificate of the
 *       same name ({@link MemberCertificates}); until this node has connected to that member the record is
 *       pending: neither followed nor refused.</li>
 * </ol>
 * Without a CA nothing can be checked but rule 1 (a plain cluster: docs/discovery.md says what that allows).
 * Each refused record is counted once under its {@link RecordRefusal}. Not thread-safe: one actor owns it.
 */
final class RecordCheck {
    /** Distinct certificates whose verdict is remembered; a flood of new ones only costs verifications. */
    private static final int CERTIFICATES_REMEMBERED = 1024;

    private record Seen(PeerRecord record, RecordRefusal verdict, Instant notAfter, RecordRefusal counted) {
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
            Seen s = before != null && before.record().equals(r) ? before : check(key, r, now);
            RecordRefusal verdict = s.verdict();
            if (verdict == null && s.notAfter() != null && now.isAfter(s.notAfter())) {
                verdict = RecordRefusal.BAD_CERTIFICATE;             // expired since it was checked
            }
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
            RecordRefusal counted = s.counted();
            if (verdict != null && verdict != counted) {
                counters.refuse(verdict);
                counted = verdict;
            }
            next.put(key, new Seen(r, s.verdict(), s.notAfter(), counted));
            if (verdict == null && !pending) {
                accepted.put(key, r);
            }
        });
        seen = next;
        counters.pending(pendingMembers.size());
        return accepted;
    }

    /** Members whose records wait for this node to connect to them over TLS (see rule 6). */
    Set<String> pendingMembers() {
        return Set.copyOf(pendingMembers);
    }

    private Seen check(String key, PeerRecord r, Instant now) {
        if (!key.equals(r.name())) {
            return new Seen(r, RecordRefusal.MISFILED, null, null);
        }
        if (ca.isEmpty()) {
            return new Seen(r, null, null, null);
        }
        if (r.certificate() == null || r.signature() == null) {
            return new Seen(r, RecordRefusal.UNSIGNED, null, null);
        }
        Optional<PeerIdentity> certified = certificates.computeIfAbsent(r.certificate(), c -> verifyCertificate(c, now));
        if (certified.isEmpty() || now.isAfter(certified.get().certificate().getNotAfter().toInstant())) {
            return new Seen(r, RecordRefusal.BAD_CERTIFICATE, null, null);
        }
        if (!RecordSignature.matches(r, certified.get())) {
            return new Seen(r, RecordRefusal.IDENTITY_MISMATCH, null, null);
        }
        if (!RecordSignature.verify(r, certified.get().certificate().getPublicKey())) {
            return new Seen(r, RecordRefusal.BAD_SIGNATURE, null, null);
        }
        return new Seen(r, null, certified.get().certificate().getNotAfter().toInstant(), null);
    }

    private Optional<PeerIdentity> verifyCertificate(String base64, Instant now) {
        try {
            return Optional.of(PeerCertificates.verify(ca.orElseThrow(), Base64.getDecoder().decode(base64), now));
        } catch (PkiException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
