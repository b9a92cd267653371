package io.ipop.management;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /}: the topology page, one self-contained HTML file from the jar (no CDN). Its script
 * polls {@code /overlay/node} and {@code /overlay/links} and draws the node and its peers (see
 * {@code topology.html} next to this class).
 */
public final class TopologyRoutes implements ManagementRouteProvider {
    private static final String PAGE = "topology.html";
    private final byte[] page;

    public TopologyRoutes(ExtendedActorSystem system) {
        try (InputStream in = TopologyRoutes.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the jar");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return Directives.pathSingleSlash(() -> Directives.get(() ->
                Directives.complete(StatusCodes.OK, HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, page))));
    }
}
