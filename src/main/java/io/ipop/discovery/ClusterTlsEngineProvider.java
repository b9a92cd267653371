package io.ipop.discovery;

import com.typesafe.config.Config;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NodeTls;
import io.ipop.secure.PkiException;
import io.ipop.secure.PeerIdentity;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import scala.Option;

/**
 * Artery's {@code tls-tcp} engines for the cluster port, made from the node's own PEM files
 * ({@code ipop.security.ca/cert/key}) by {@link NodeTls}: mutual authentication, the overlay CA as the only trust
 * anchor, no host name check. Pekko instantiates it by name ({@code pekko.remote.artery.ssl.ssl-engine-provider},
 * set by {@code DiscoverySettings}) with the classic system; the files were already checked by {@code NodeSettings}.
 *
 * <p>Why not Pekko's {@code ConfigSSLEngineProvider}: it reads JKS/PKCS12 files with passwords in the config, so
 * the node would have to write its private key to a second file. This keeps the key where the operator put it.
 */
public final class ClusterTlsEngineProvider implements SSLEngineProvider {
    private final NodeTls tls;
    private final LoggingAdapter log;
    private final Optional<MemberCertificates> members;

    public ClusterTlsEngineProvider(ActorSystem system) throws PkiException {
        this(system.settings().config(), Logging.getLogger(system, ClusterTlsEngineProvider.class),
                Optional.of(MemberCertificates.get(Adapter.toTyped(system))));
    }

    /** For tests and for callers that hold the config already. */
    public ClusterTlsEngineProvider(Config config, LoggingAdapter log) throws PkiException {
        this(config, log, Optional.empty());
    }

    private ClusterTlsEngineProvider(Config config, LoggingAdapter log, Optional<MemberCertificates> members)
            throws PkiException {
        Config security = config.getConfig("ipop.security");
        this.tls = NodeTls.of(NodeIdentityLoader.load(Path.of(security.getString("ca")),
                Path.of(security.getString("cert")), Path.of(security.getString("key"))));
        this.log = log;
        this.members = members;
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        return tls.serverEngine();
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        return tls.clientEngine(hostname, port);
    }

    /**
     * This node connected to the member at {@code hostname} (its canonical address): the certificate it presented
     * names that member for the peer records ({@link MemberCertificates}).
     */
    @Override
    public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        try {
            PeerIdentity peer = tls.verifiedPeer(session);
            members.ifPresent(m -> m.presented(hostname, session.getPeerPort(), peer.name()));
            return Option.empty();
        } catch (PkiException problem) {
            log.warning("cluster TLS: peer {} refused: {}", hostname, problem.getMessage());
            return Option.apply(problem);
        }
    }

    @Override
    public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return verify(hostname, session);
    }

    private Option<Throwable> verify(String hostname, SSLSession session) {
        return tls.verifyPeer(session)
                .map(problem -> {
                    log.warning("cluster TLS: peer {} refused: {}", hostname, problem.getMessage());
                    return Option.<Throwable>apply(problem);
                })
                .orElse(Option.empty());
    }
}
