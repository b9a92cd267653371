package io.ipop.discovery;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * What a node publishes about itself in the cluster directory: enough for another node to start a link
 * to it. The link's own {@code con_req}/{@code con_resp} (signed, with the certificate) stays the
 * authority on who the peer is; the record only says where to knock. With a certificate the record is
 * signed by the node's key ({@link RecordSignature}), so no other member can write a record in its name.
 *
 * @param instance    random id of the node's process; a restart publishes a new one
 * @param endpoints   underlay endpoints (IP literals), first preferred; never empty
 * @param certificate the node's certificate (base64 DER), or {@code null} without one
 * @param member      the cluster member that published it, {@code pekko://ipop@host:port#uid}: the record
 *                    counts only while that member is up
 * @param signature   base64 ECDSA signature of every other field by the certificate's key ({@link RecordSignature}),
 *                    or {@code null} (a node without a certificate)
 */
public record PeerRecord(String name, String instance, OverlayAddress address, MacAddress mac, List<Endpoint> endpoints,
                         List<String> groups, String certificate, String member, String signature) {

    /** @throws IllegalArgumentException if a field is missing or invalid (a record from the network) */
    public PeerRecord {
        if (!PeerIdentity.isValidName(name)) {
            throw new IllegalArgumentException("bad node name \"" + name + "\"");
        }
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(member, "member");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("record of " + name + " has no endpoint");
        }
        groups = PeerIdentity.normalizeGroups(groups);
    }

    /** The same record, signed with {@code signature} (base64). */
    public PeerRecord withSignature(String signature) {
        return new PeerRecord(name, instance, address, mac, endpoints, groups, certificate, member, signature);
    }

    /** The endpoint a link to this peer starts at. */
    public Endpoint endpoint() {
        return endpoints.get(0);
    }
}
