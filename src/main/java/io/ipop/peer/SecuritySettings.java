package io.ipop.peer;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.Pem;
import io.ipop.secure.PkiException;
import io.ipop.secure.Revocations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ipop.security}: which links are encrypted, and this node's certificate.
 *
 * @param mode             the effective mode ({@code auto} already resolved)
 * @param securePeers      peers always secured, by the overlay address or name of their verified certificate
 * @param identity         this node's certificate and key, loaded and checked against the CA; empty without one
 * @param helloMaxAge      how far a hello's timestamp may be from this node's clock
 * @param handshakeTimeout how long a DTLS handshake may take
 * @param revoked          certificates refused although the CA signed them ({@code revoked}); never this node's own
 * @param reverifyInterval how often a live link's peer certificate is checked again (besides every reload)
 * @param rekeyAfter       a secure link's keys are replaced by a new DTLS handshake after this long
 */
public record SecuritySettings(Mode mode, SecurePeers securePeers, Optional<NodeIdentity> identity,
                               Duration helloMaxAge, Duration handshakeTimeout, Revocations revoked,
                               Duration reverifyInterval, Duration rekeyAfter) {

    /** Longest {@code reverify-interval}: a revoked or expired peer keeps its link at most this long. */
    public static final Duration MAX_REVERIFY_INTERVAL = Duration.ofHours(1);
    /** Shortest {@code rekey-after}: each rekey is a full DTLS handshake (two ECDSA signatures a side). */
    public static final Duration MIN_REKEY_AFTER = Duration.ofSeconds(1);

    /** Settings without revocations, with the default re-verification and rekey intervals (tests). */
    public SecuritySettings(Mode mode, SecurePeers securePeers, Optional<NodeIdentity> identity, Duration helloMaxAge,
                            Duration handshakeTimeout) {
        this(mode, securePeers, identity, helloMaxAge, handshakeTimeout, Revocations.NONE, MAX_REVERIFY_INTERVAL,
                Duration.ofMinutes(2));
    }

    /** Secure peers given by overlay address only. */
    public SecuritySettings(Mode mode, Set<Integer> securePeerAddresses, Optional<NodeIdentity> identity,
                            Duration helloMaxAge, Duration handshakeTimeout) {
        this(mode, new SecurePeers(securePeerAddresses, Set.of()), identity, helloMaxAge, handshakeTimeout);
    }

    /** How a link's security is decided. */
    public enum Mode { BY_GROUP, ALWAYS, NEVER }

    private enum ConfiguredMode { AUTO, BY_GROUP, ALWAYS, NEVER }

    public static SecuritySettings read(ConfigReader c) {
        ConfiguredMode configured = c.lowerCaseEnum("mode", ConfiguredMode.class);
        Optional<NodeIdentity> identity = readIdentity(c);
        Mode mode = switch (configured) {
            case AUTO -> identity.isPresent() ? Mode.BY_GROUP : Mode.NEVER;
            case BY_GROUP -> Mode.BY_GROUP;
            case ALWAYS -> Mode.ALWAYS;
            case NEVER -> Mode.NEVER;
        };
        if (mode != Mode.NEVER && identity.isEmpty()) {
            throw new ConfigProblem(c.path("cert"), "required when mode = " + c.string("mode")
                    + " (create one with: java -jar ipop-node.jar ca sign --dir pki --name NAME --ip ADDRESS"
                    + " --groups G1,G2; or set mode = never)");
        }
        SecurePeers securePeers = readSecurePeers(c);
        if (!securePeers.isEmpty() && identity.isEmpty()) {
            throw new ConfigProblem(c.path("secure-peers"), "secure links need this node's certificate: set ca, cert and key");
        }
        Revocations revoked = readRevoked(c, identity);
        Duration reverify = c.positiveDuration("reverify-interval");
        if (reverify.compareTo(MAX_REVERIFY_INTERVAL) > 0) {
            throw new ConfigProblem(c.path("reverify-interval"), reverify + " is longer than the most allowed, 1h");
        }
        Duration rekey = c.positiveDuration("rekey-after");
        if (rekey.compareTo(MIN_REKEY_AFTER) < 0) {
            throw new ConfigProblem(c.path("rekey-after"), rekey + " is shorter than the least allowed, 1s");
        }
        return new SecuritySettings(mode, securePeers, identity,
                c.positiveDuration("hello-max-age"), c.positiveDuration("handshake-timeout"), revoked, reverify, rekey);
    }

    /** {@code revoked}: fingerprints, well-formed, and not this node's own certificate (it could link with no one). */
    private static Revocations readRevoked(ConfigReader c, Optional<NodeIdentity> identity) {
        List<String> listed = c.stringList("revoked");
        for (int i = 0; i < listed.size(); i++) {
            try {
                Revocations.normalized(listed.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(c.path("revoked") + "[" + i + "]", e.getMessage());
            }
        }
        Revocations revoked = Revocations.of(listed);
        if (identity.isPresent()) {
            String own;
            try {
                own = PeerCertificates.fingerprint(identity.get().certificate());
            } catch (PkiException e) {
                throw new ConfigProblem(c.path("cert"), e.getMessage());
            }
            if (revoked.isRevoked(own)) {
                throw new ConfigProblem(c.path("revoked"), "lists this node's own certificate (" + c.string("cert")
                        + ", sha256 " + own + "): it is revoked, so no peer would link with this node;"
                        + " get a new certificate (ca sign) or remove the entry");
            }
        }
        return revoked;
    }

    /** Each entry an overlay IPv4 address (without prefix) or a node name, as the peer's certificate binds it. */
    private static SecurePeers readSecurePeers(ConfigReader c) {
        List<String> peers = c.stringList("secure-peers");
        Set<Integer> addresses = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < peers.size(); i++) {
            String at = c.path("secure-peers") + "[" + i + "]";
            String entry = peers.get(i);
            if (entry.matches("[0-9./]+")) {
                try {
                    OverlayAddress a = OverlayAddress.parse(entry, false);
                    if (a.prefixLength() != 32) {
                        throw new ConfigProblem(at, "\"" + entry + "\" must be a single IPv4 address, without prefix");
                    }
                    addresses.add(a.address());
                } catch (IllegalArgumentException e) {
                    throw new ConfigProblem(at, e.getMessage());
                }
            } else if (ConfigReader.TOKEN.matcher(entry).matches()) {
                names.add(entry);
            } else {
                throw new ConfigProblem(at, "\"" + entry + "\" is neither an IPv4 address nor a node name");
            }
        }
        return new SecurePeers(addresses, names);
    }

    /** ca, cert and key: all three or none; relative paths are relative to the working directory. */
    private static Optional<NodeIdentity> readIdentity(ConfigReader c) {
        String ca = c.string("ca");
        String cert = c.string("cert");
        String key = c.string("key");
        if (ca.isEmpty() && cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        for (String k : List.of("ca", "cert", "key")) {
            if (c.string(k).isEmpty()) {
                throw new ConfigProblem(c.path(k), "required when any of ca, cert, key is set");
            }
        }
        for (String k : List.of("ca", "cert", "key")) {
            String file = c.string(k);
            if (!Files.isReadable(Path.of(file))) {
                throw new ConfigProblem(c.path(k), "cannot read file " + file);
            }
        }
        // Read the CA and the key alone first, so a file that is not what its key says is named by that key;
        // what remains (the certificate, and whether it matches the CA and the key) is the certificate's.
        try {
            OverlayCa.readCaCertificate(Path.of(ca));
        } catch (PkiException e) {
            throw new ConfigProblem(c.path("ca"), e.getMessage());
        }
        try {
            Pem.readPrivateKey(Path.of(key));
        } catch (PkiException e) {
            throw new ConfigProblem(c.path("key"), e.getMessage());
        }
        try {
            return Optional.of(NodeIdentityLoader.load(Path.of(ca), Path.of(cert), Path.of(key)));
        } catch (PkiException e) {
            throw new ConfigProblem(c.path("cert"), e.getMessage());
        }
    }

    /**
     * Checks that the certificate speaks for this node: same name, overlay address and groups as the config,
     * and the MAC its name fixes (peers take frames from no other: docs/security.md, invariant 2).
     */
    public void checkIdentityMatches(String name, OverlayAddress address, MacAddress mac, List<String> groups) {
        identity.ifPresent(id -> {
            if (!id.name().equals(name)) {
                throw new ConfigProblem("ipop.security.cert", "certificate is for node \"" + id.name()
                        + "\", but ipop.node.name is \"" + name + "\"");
            }
            if (id.address().address() != address.address()) {
                throw new ConfigProblem("ipop.security.cert", "certificate is for overlay address " + id.address().ip()
                        + ", but ipop.tap.address is " + address);
            }
            if (!MacAddress.derivedFrom(id.name()).equals(mac)) {
                throw new ConfigProblem("ipop.tap.mac", mac + " is not the MAC of certified node \"" + id.name() + "\" ("
                        + MacAddress.derivedFrom(id.name()) + "): with a certificate the MAC is derived from the name; set tap.mac = auto");
            }
            if (!id.groups().equals(groups)) {
                throw new ConfigProblem("ipop.groups", groups + " differ from the groups in the certificate "
                        + id.groups() + " (ipop.security.cert): reissue the certificate or fix the groups");
            }
        });
    }
}
