package io.ipop.management;

import io.ipop.node.ManagementSettings;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The one gate in front of every management route, ours and Pekko Management's ({@code /cluster/*} too).
 * Guard flow, first refusal wins, each counted ({@link ApiRefusals}):
 * 1. {@code Host} must name loopback or this API ({@link HostHeader#allowed}), else 403: DNS rebinding;
 * 2. a request that is not GET, HEAD or OPTIONS must not come from another origin, else 403: a page's
 *    cross-site form or fetch ("CSRF"). Browsers say where a request comes from in {@code Sec-Fetch-Site}
 *    (only {@code same-origin} and {@code none}, a user's own action, pass) and {@code Origin} (must be this
 *    API's own scheme, host and port; {@code null} never is). Tools such as curl send neither and pass;
 * 3. the bearer token, when one is set ({@link BearerToken}), else 401.
 * Safe methods change nothing, and without CORS headers a page of another origin cannot read their answers.
 */
final class ApiGuard {
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> OWN_FETCH_SITES = Set.of("same-origin", "none");
    private static final String REALM = "Bearer realm=\"ipop-node\"";

    private final ManagementSettings bound;
    private final Supplier<ManagementSettings> live;
    private final ApiRefusals refusals;

    /**
     * @param bound    the settings the API was bound with (its address and scheme)
     * @param live     the settings in force now, read per request: a reload may change the token and allowed hosts
     */
    ApiGuard(ManagementSettings bound, Supplier<ManagementSettings> live, ApiRefusals refusals) {
        this.bound = bound;
        this.live = live;
        this.refusals = refusals;
    }

    /** {@code inner} behind the gate. */
    Route wrap(Route inner) {
        return Directives.extractRequest(request -> check(request)
                .map(this::refuse)
                .orElse(inner));
    }

    /** The first reason to refuse {@code request}, empty if it may pass. */
    Optional<ApiRefusal> check(HttpRequest request) {
        ManagementSettings now = live.get();
        Optional<HostHeader> host = request.getHeader("Host").map(HttpHeader::value).flatMap(HostHeader::parse);
        if (host.isEmpty() || !host.get().allowed(bound.hostname(), now.allowedHosts())) {
            return Optional.of(ApiRefusal.BAD_HOST);
        }
        if (!SAFE_METHODS.contains(request.method().value()) && fromAnotherOrigin(request, host.get())) {
            return Optional.of(ApiRefusal.CROSS_SITE);
        }
        return BearerToken.check(request, now.token());
    }

    private boolean fromAnotherOrigin(HttpRequest request, HostHeader host) {
        boolean otherSite = request.getHeader("Sec-Fetch-Site")
                .map(h -> !OWN_FETCH_SITES.contains(h.value().trim().toLowerCase(Locale.ROOT)))
                .orElse(false);
        boolean otherOrigin = request.getHeader("Origin")
                .map(h -> !host.isOriginOf(h.value(), bound.scheme()))
                .orElse(false);
        return otherSite || otherOrigin;
    }

    private Route refuse(ApiRefusal why) {
        refusals.count(why);
        HttpResponse response = HttpResponse.create()
                .withStatus(StatusCodes.get(why.status()))
                .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, message(why)));
        if (why.status() == 401) {
            response = response.addHeader(RawHeader.create("WWW-Authenticate", REALM));
        }
        return Directives.complete(response);
    }

    private static String message(ApiRefusal why) {
        return switch (why) {
            case BAD_HOST -> "403 Forbidden: the Host header names neither loopback nor this API"
                    + " (pekko.management.http.hostname, ipop.management.allowed-hosts)\n";
            case CROSS_SITE -> "403 Forbidden: a state-changing request from a page of another origin\n";
            case TOKEN_IN_URL -> "401 Unauthorized: access_token in the URL is accepted for GET / only;"
                    + " send Authorization: Bearer <ipop.management.token>\n";
            case NO_TOKEN, WRONG_TOKEN -> "401 Unauthorized: this management API needs Authorization: Bearer <ipop.management.token>\n";
        };
    }
}
