package io.ipop.management;

import io.ipop.node.ManagementSettings;
import io.ipop.node.NodeRuntime;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Serves the management API on {@code pekko.management.http.hostname:port}: every route Pekko
 * Management collects (its {@code /alive} and {@code /ready}, and the providers under
 * {@code pekko.management.http.routes}: {@code /overlay/*}, {@code /metrics}, {@code /}, and with cluster
 * discovery pekko-management-cluster-http's {@code /cluster/*}), all behind {@link BearerToken}.
 *
 * <p>Bound here rather than with {@code PekkoManagement.start(settings -> settings.withAuth(...))}:
 * Pekko Management's authenticator speaks HTTP Basic only, and the node's contract is a bearer token.
 * The binding is released in the coordinated shutdown.
 */
public final class ManagementServer {
    private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(2);

    private ManagementServer() {
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ManagementSettings settings) {
        NodeRuntime runtime = NodeRuntime.get(system);
        var routes = BearerToken.require(() -> {
            NodeRuntime.State state = runtime.state();
            return state == null ? settings.token() : state.settings().management().token();
        }, PekkoManagement.get(system).getRoutes());
        return Http.get(system).newServerAt(settings.hostname(), settings.port()).bind(routes)
                .thenApply(binding -> binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system));
    }
}
