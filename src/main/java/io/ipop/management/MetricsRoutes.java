package io.ipop.management;

import io.ipop.node.NodeRuntime;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** {@code GET /metrics}: the node's {@link NodeMetrics} in the Prometheus text format. */
public final class MetricsRoutes implements ManagementRouteProvider {
    private final NodeMetrics metrics;

    public MetricsRoutes(ExtendedActorSystem system) {
        this.metrics = new NodeMetrics(NodeRuntime.get(Adapter.toTyped(system)), ApiRefusals.get(Adapter.toTyped(system)));
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return Directives.path("metrics", () -> Directives.get(() -> Directives.complete(StatusCodes.OK,
                HttpEntities.create(ContentTypes.parse(NodeMetrics.contentType()), metrics.scrape()))));
    }
}
