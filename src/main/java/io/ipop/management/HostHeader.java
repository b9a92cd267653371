package io.ipop.management;

import io.ipop.node.ManagementSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The authority a request names in its {@code Host} header (RFC 9110 section 7.2): the host in lower case
 * (an IPv6 literal in brackets) and the port, {@code -1} if none. Pure; used by {@link ApiGuard}.
 *
 * <p>Why it is checked: after DNS rebinding a page of {@code attacker.example} reaches 127.0.0.1 as its own
 * origin, so the browser lets it read answers and send anything, but it still names {@code attacker.example}
 * in {@code Host}. Only names the operator chose are served.
 */
record HostHeader(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+]");
    private static final Pattern REG_NAME = Pattern.compile("[a-z0-9._-]+");

    /** Empty for a header that is no {@code host[:port]}. */
    static Optional<HostHeader> parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int close = v.startsWith("[") ? v.indexOf(']') : -1;
        int colon = close >= 0 ? (v.length() > close + 1 ? close + 1 : -1) : v.indexOf(':');
        String host = colon < 0 ? v : v.substring(0, colon);
        int port = -1;
        if (colon >= 0) {
            String p = v.substring(colon);
            if (!p.matches(":[0-9]{1,5}") || Integer.parseInt(p.substring(1)) > 65535) {
                return Optional.empty();
            }
            port = Integer.parseInt(p.substring(1));
        }
        boolean wellFormed = close >= 0 ? IPV6.matcher(host).matches() : REG_NAME.matcher(host).matches();
        return wellFormed ? Optional.of(new HostHeader(host, port)) : Optional.empty();
    }

    /**
     * Loopback ({@code localhost}, 127.0.0.0/8, {@code [::1]}), the address the API is bound to, a name of
     * {@code allowedHosts}, or, when bound to a wildcard address, any IP literal (a rebound name never is one).
     */
    boolean allowed(String boundHostname, List<String> allowedHosts) {
        if (ManagementSettings.isLoopback(host) || allowedHosts.contains(host)) {
            return true;
        }
        String bound = bracketed(boundHostname.toLowerCase(Locale.ROOT));
        if (bound.equals("0.0.0.0") || bound.equals("[::]")) {
            return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
        }
        return host.equals(bound);
    }

    /** Whether {@code origin} (an {@code Origin} header) is this API's own: same scheme, host and port. */
    boolean isOriginOf(String origin, String scheme) {
        URI uri;
        try {
            uri = new URI(origin.trim());
        } catch (URISyntaxException e) {
            return false;                               // includes "null", sent by file: pages and sandboxes
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return false;
        }
        String theirScheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return theirScheme.equals(scheme) && uri.getHost().toLowerCase(Locale.ROOT).equals(host)
                && portOr(uri.getPort(), theirScheme) == portOr(port, scheme);
    }

    private static int portOr(int port, String scheme) {
        return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
