package io.ipop.discovery;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Which node name each cluster member's TLS certificate carries, as this node's own outgoing TLS connections saw it:
 * Artery connects to a member's canonical {@code host:port}, and {@link ClusterTlsEngineProvider} notes the name of
 * the (CA-verified) certificate the server there presented. Only the holder of that certificate's key can answer
 * at that address, so a peer record naming the member is believed only if it is that name's record: a member whose
 * certificate names {@code x} cannot publish a record that counts for the member of {@code y}, nor bind its own
 * record to another member. Thread-safe; one per ActorSystem; bounded by the members this node connects to.
 */
public final class MemberCertificates implements Extension {
    private static final ExtensionId<MemberCertificates> ID = new ExtensionId<>() {
        @Override
        public MemberCertificates createExtension(ActorSystem<?> system) {
            return new MemberCertificates();
        }
    };

    /** {@code host:port} as in the member's address, to the certificate's node name; the latest handshake wins. */
    private final Map<String, String> names = new ConcurrentHashMap<>();

    MemberCertificates() {
    }

    public static MemberCertificates get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** A TLS connection to {@code host:port} completed with a certificate of the overlay CA naming {@code name}. */
    void presented(String host, int port, String name) {
        names.put(host + ":" + port, name);
    }

    /**
     * The name the member presented, for a member written as in a record ({@code pekko://ipop@host:port#uid});
     * empty until this node has connected to it.
     */
    Optional<String> nameAt(String member) {
        int at = member.indexOf('@');
        int uid = member.lastIndexOf('#');
        if (at < 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(names.get(member.substring(at + 1, uid > at ? uid : member.length())));
    }
}
