package io.ipop.secure;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What an overlay certificate binds: node name, overlay address (with the prefix from the groups
 * extension) and groups. Built only by {@link PeerCertificates} from a certificate it has parsed.
 *
 * @param groups      sorted, without duplicates, each a valid name, at most {@link #MAX_GROUPS}
 * @param fingerprint lowercase hex SHA-256 of the certificate's DER encoding
 * @param grants      routes, IPv6 addresses and the router role the certificate grants
 */
public record PeerIdentity(String name, OverlayAddress address, List<String> groups, X509Certificate certificate,
                           String fingerprint, AddressGrants grants) {

    /** Most groups one certificate may carry. */
    public static final int MAX_GROUPS = 64;

    /** Node names and group names: ASCII letters, digits, {@code . _ -}, 1..64 long, not starting with punctuation. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** {@link #NAME} in words, for error messages. */
    static final String NAME_RULE = "use 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit";

    /** @throws IllegalArgumentException if the name or a group is invalid or groups are not sorted and unique */
    public PeerIdentity {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(grants, "grants");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("bad node name \"" + name + "\": " + NAME_RULE);
        }
        groups = List.copyOf(groups);
        if (!groups.equals(normalizeGroups(groups))) {
            throw new IllegalArgumentException("groups must be sorted and unique: " + groups);
        }
    }

    /** An identity that grants nothing beyond its address. */
    public PeerIdentity(String name, OverlayAddress address, List<String> groups, X509Certificate certificate,
                        String fingerprint) {
        this(name, address, groups, certificate, fingerprint, AddressGrants.NONE);
    }

    /** The one MAC this node may use: fixed by its certified name ({@link MacAddress#derivedFrom}). */
    public MacAddress mac() {
        return MacAddress.derivedFrom(name);
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Groups in canonical form: sorted (by {@link String#compareTo}), duplicates removed.
     *
     * @throws IllegalArgumentException naming the first invalid group, or if there are more than {@link #MAX_GROUPS}
     */
    public static List<String> normalizeGroups(Collection<String> groups) {
        TreeSet<String> sorted = new TreeSet<>();
        for (String g : groups) {
            if (!isValidName(g)) {
                throw new IllegalArgumentException("bad group name \"" + g + "\": " + NAME_RULE);
            }
            sorted.add(g);
        }
        if (sorted.size() > MAX_GROUPS) {
            throw new IllegalArgumentException("too many groups (" + sorted.size() + ", at most " + MAX_GROUPS + ")");
        }
        return List.copyOf(sorted);
    }
}
