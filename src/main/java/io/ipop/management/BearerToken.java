package io.ipop.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The management API's guard: with {@code ipop.management.token} set, a request passes only with
 * {@code Authorization: Bearer <token>} or, for a browser opening the topology page, the query
 * parameter {@code access_token=<token>} (RFC 6750 sections 2.1 and 2.3); anything else is answered 401.
 * The token is read per request, so a reload that sets or changes it applies at once.
 */
final class BearerToken {
    private static final String REALM = "Bearer realm=\"ipop-node\"";

    private BearerToken() {
    }

    /** {@code inner} behind the token that {@code token} supplies; an empty token lets every request through. */
    static Route require(Supplier<String> token, Route inner) {
        return Directives.extractRequest(request -> {
            String expected = token.get();
            if (expected.isEmpty() || presented(request).filter(t -> same(t, expected)).isPresent()) {
                return inner;
            }
            return Directives.complete(HttpResponse.create()
                    .withStatus(StatusCodes.UNAUTHORIZED)
                    .addHeader(RawHeader.create("WWW-Authenticate", REALM))
                    .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
                            "401 Unauthorized: this management API needs Authorization: Bearer <ipop.management.token>\n")));
        });
    }

    /** The token a request carries in its Authorization header (scheme Bearer) or its access_token parameter. */
    static Optional<String> presented(HttpRequest request) {
        Optional<String> header = request.getHeader("Authorization")
                .map(h -> h.value().trim())
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim());
        return header.isPresent() ? header : request.getUri().query().get("access_token");
    }

    /** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
    private static boolean same(String presented, String expected) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
