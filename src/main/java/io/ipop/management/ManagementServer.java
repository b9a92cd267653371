package io.ipop.management;

import io.ipop.node.ManagementSettings;
import io.ipop.node.NodeRuntime;
import io.ipop.secure.PkiException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Serves the management API on {@code pekko.management.http.hostname:port}, over HTTPS when the settings
 * carry TLS credentials: every route Pekko Management collects (its {@code /alive} and {@code /ready}, and
 * the providers under {@code pekko.management.http.routes}: {@code /overlay/*}, {@code /metrics}, {@code /},
 * and with cluster discovery pekko-management-cluster-http's {@code /cluster/*}), all behind {@link ApiGuard}.
 *
 * <p>Bound here rather than with {@code PekkoManagement.start(...)}: Pekko Management's authenticator speaks
 * HTTP Basic only and checks neither {@code Host} nor the origin of a request, and its routes must not be
 * reachable except through the guard. The binding is released in the coordinated shutdown.
 */
public final class ManagementServer {
    private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(2);

    private ManagementServer() {
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ManagementSettings settings) {
        NodeRuntime runtime = NodeRuntime.get(system);
        ApiGuard guard = new ApiGuard(settings, () -> {
            NodeRuntime.State state = runtime.state();
            return state == null ? settings : state.settings().management();
        }, ApiRefusals.get(system));
        ServerBuilder server = Http.get(system).newServerAt(settings.hostname(), settings.port());
        if (settings.tls().isPresent()) {
            try {
                server = server.enableHttps(ConnectionContext.httpsServer(settings.tls().get().serverContext()));
            } catch (PkiException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return server.bind(guard.wrap(PekkoManagement.get(system).getRoutes()))
                .thenApply(binding -> binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system));
    }
}
