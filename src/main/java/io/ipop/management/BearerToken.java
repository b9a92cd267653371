package io.ipop.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The management API's token check ({@link ApiGuard}, step 3): with {@code ipop.management.token} set, a
 * request passes only with {@code Authorization: Bearer <token>} (RFC 6750 section 2.1). The query parameter
 * {@code access_token=<token>} (section 2.3) is taken for {@code GET /} only, the page a browser opens:
 * the page's script then sends the header, and a URL, which ends up in logs and histories, unlocks nothing else.
 */
final class BearerToken {
    private BearerToken() {
    }

    /** Why {@code request} lacks {@code expected}, empty if it carries it; an empty {@code expected} lets every request through. */
    static Optional<ApiRefusal> check(HttpRequest request, String expected) {
        if (expected.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> header = request.getHeader("Authorization")
                .map(h -> h.value().trim())
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim());
        if (header.isPresent()) {
            return same(header.get(), expected) ? Optional.empty() : Optional.of(ApiRefusal.WRONG_TOKEN);
        }
        Optional<String> query = request.getUri().query().get("access_token");
        if (query.isEmpty()) {
            return Optional.of(ApiRefusal.NO_TOKEN);
        }
        if (!request.method().value().equals("GET") || !request.getUri().path().equals("/")) {
            return Optional.of(ApiRefusal.TOKEN_IN_URL);
        }
        return same(query.get(), expected) ? Optional.empty() : Optional.of(ApiRefusal.WRONG_TOKEN);
    }

    /** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
    private static boolean same(String presented, String expected) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
