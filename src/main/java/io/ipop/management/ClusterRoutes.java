package io.ipop.management;

import io.ipop.discovery.ClusterMembership;
import io.ipop.node.NodeRuntime;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * pekko-management-cluster-http's {@code /cluster/*} routes, served for the cluster system running at the time
 * of each request: the cluster lives in an ActorSystem of its own that a downing replaces
 * ({@link ClusterMembership}), so the routes cannot be bound once to one system. Between two incarnations (and
 * while the node starts) they answer 503. Read-only when the route providers are.
 */
public final class ClusterRoutes implements ManagementRouteProvider {
    private final NodeRuntime runtime;

    public ClusterRoutes(ExtendedActorSystem system) {
        this.runtime = NodeRuntime.get(Adapter.toTyped(system));
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return Directives.extractRequest(req -> {
            Optional<ActorSystem<?>> system = Optional.ofNullable(runtime.state())
                    .flatMap(NodeRuntime.State::cluster).flatMap(ClusterMembership::system);
            if (system.isEmpty()) {
                return Directives.pathPrefix("cluster", () ->
                        Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "cluster member is starting\n"));
            }
            Cluster cluster = Cluster.get(Adapter.toClassic(system.get()));
            return settings.readOnly() ? ClusterHttpManagementRoutes.readOnly(cluster) : ClusterHttpManagementRoutes.all(cluster);
        });
    }
}
