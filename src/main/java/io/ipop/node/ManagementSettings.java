package io.ipop.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * {@code pekko.management.http} and {@code ipop.management}: where the management API listens and the
 * bearer token it requires.
 *
 * @param token the bearer token every request must carry, or empty for none (allowed on loopback only)
 */
public record ManagementSettings(String hostname, int port, String token) {
    static final String TOKEN_KEY = "ipop.management.token";
    private static final int MIN_TOKEN = 16;
    /** Printable ASCII without spaces: the token travels in an HTTP header and a URL. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    /** Without a token (loopback). */
    public ManagementSettings(String hostname, int port) {
        this(hostname, port, "");
    }

    /**
     * Reads {@code http} ({@code pekko.management.http}) and {@code ipop} ({@code ipop.management}).
     * Off loopback a token is required: an open management API would let anyone on the network read
     * the overlay and reload the node.
     */
    static ManagementSettings read(ConfigReader http, ConfigReader ipop) {
        String host = http.string("hostname");
        if (host.isBlank()) {
            throw new ConfigProblem(http.path("hostname"), "must not be empty");
        }
        int port = http.intIn("port", 1, 65535);
        String token = ipop.string("token");
        if (!token.isEmpty() && (token.length() < MIN_TOKEN || !TOKEN.matcher(token).matches())) {
            throw new ConfigProblem(ipop.path("token"), "must be at least " + MIN_TOKEN + " characters of A-Z a-z 0-9 . _ ~ + / = -"
                    + " (e.g. from: openssl rand -hex 24)");
        }
        if (token.isEmpty() && !isLoopback(host)) {
            throw new ConfigProblem(ipop.path("token"), "required because " + http.path("hostname") + " = \"" + host
                    + "\" is not a loopback address (set a token, or keep the API on 127.0.0.1)");
        }
        return new ManagementSettings(host, port, token);
    }

    public boolean requiresToken() {
        return !token.isEmpty();
    }

    /** {@code localhost}, or an IP literal in 127.0.0.0/8 or {@code ::1}; names other than localhost count as off-loopback. */
    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPV4.matcher(literal).matches() && literal.indexOf(':') < 0) {
            return false;                               // a host name: never resolved here
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
