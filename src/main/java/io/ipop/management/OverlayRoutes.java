package io.ipop.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ipop.node.NodeRuntime;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The node's own management routes, served by Pekko Management next to {@code /alive} and {@code /ready}:
 * {@code GET /overlay/node}, {@code GET /overlay/links}, {@code GET /overlay/dataplane}, and
 * {@code POST /overlay/reload} (unless the route providers are read-only). See docs/management.md.
 */
public final class OverlayRoutes implements ManagementRouteProvider {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final NodeRuntime runtime;
    private final ApiRefusals refusals;

    public OverlayRoutes(ExtendedActorSystem system) {
        this.runtime = NodeRuntime.get(Adapter.toTyped(system));
        this.refusals = ApiRefusals.get(Adapter.toTyped(system));
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        Route reads = Directives.get(() -> Directives.concat(
                Directives.path("node", () -> view(s -> Views.node(s, new Views.ManagementView(runtime.reloads(), refusals.view())))),
                Directives.path("links", () -> view(Views::links)),
                Directives.path("dataplane", () -> view(Views::dataplane)),
                Directives.path("firewall", () -> view(FirewallView::of))));
        if (settings.readOnly()) {
            return Directives.pathPrefix("overlay", () -> reads);
        }
        return Directives.pathPrefix("overlay", () -> Directives.concat(reads,
                Directives.path("reload", () -> Directives.post(this::reload))));
    }

    /** 200 with what changed, or 400 with the one-line reason the node kept its config. */
    private Route reload() {
        return Directives.onSuccess(runtime::reload, result -> json(
                result.applied() ? StatusCodes.OK : StatusCodes.BAD_REQUEST, Views.reload(result)));
    }

    private Route json(StatusCode status, Object view) {
        try {
            return Directives.complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(view)));
        } catch (JsonProcessingException e) {
            return Directives.complete(StatusCodes.INTERNAL_SERVER_ERROR, "cannot render view: " + e.getMessage() + "\n");
        }
    }

    private Route view(Function<NodeRuntime.State, Object> render) {
        return Directives.extractRequest(req -> {
            NodeRuntime.State state = runtime.state();
            if (state == null) {
                return Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "node is starting\n");
            }
            return json(StatusCodes.OK, render.apply(state));
        });
    }
}
