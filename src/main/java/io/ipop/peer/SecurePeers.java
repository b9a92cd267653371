package io.ipop.peer;

import io.ipop.secure.PeerIdentity;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ipop.security.secure-peers}: the peers whose links are always secure, by the overlay address or the
 * node name their certificate binds. Matched only against a peer's verified certificate, never against what
 * its hello claims: a peer without a certificate matches nothing (and a node with the CA links with no such
 * peer anyway).
 *
 * @param addresses overlay IPv4 addresses (as ints)
 * @param names     node names (certificate CNs)
 */
public record SecurePeers(Set<Integer> addresses, Set<String> names) {
    public static final SecurePeers NONE = new SecurePeers(Set.of(), Set.of());

    public SecurePeers {
        addresses = Set.copyOf(addresses);
        names = Set.copyOf(names);
    }

    public boolean isEmpty() {
        return addresses.isEmpty() && names.isEmpty();
    }

    /** True if the certified peer {@code verified} is one of them. */
    public boolean matches(Optional<PeerIdentity> verified) {
        return verified.isPresent() && (addresses.contains(verified.get().address().address())
                || names.contains(verified.get().name()));
    }
}
