package io.ipop.node;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.Pem;
import io.ipop.secure.PkiException;
import io.ipop.secure.TlsCredentials;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code pekko.management.http} and {@code ipop.management}: where the management API listens, the bearer
 * token it requires, the names a request may give in its {@code Host} header, and its HTTPS credentials.
 *
 * @param token        the bearer token every request must carry, or empty for none (allowed on loopback only)
 * @param allowedHosts host names (lower case, without port) accepted in {@code Host} besides loopback and
 *                     {@code hostname} ({@code ipop.management.allowed-hosts})
 * @param tls          the certificate and key HTTPS presents; empty for plain HTTP
 */
public record ManagementSettings(String hostname, int port, String token, List<String> allowedHosts,
                                 Optional<TlsCredentials> tls) {
    static final String TOKEN_KEY = "ipop.management.token";
    private static final int MIN_TOKEN = 16;
    /** Printable ASCII without spaces: the token travels in an HTTP header and a URL. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    /** A DNS name (RFC 1123 labels) or an IPv4 literal; IPv6 literals are checked apart. */
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /** How {@code ipop.management.tls.mode} decides between HTTPS and plain HTTP. */
    private enum TlsMode { AUTO, ON, OFF }

    public ManagementSettings {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Plain HTTP without a token (loopback). */
    public ManagementSettings(String hostname, int port) {
        this(hostname, port, "");
    }

    /** Plain HTTP. */
    public ManagementSettings(String hostname, int port, String token) {
        this(hostname, port, token, List.of(), Optional.empty());
    }

    /**
     * Reads {@code http} ({@code pekko.management.http}) and {@code ipop} ({@code ipop.management}).
     * Off loopback a token is required (an open API would let anyone on the network read the overlay and
     * reload the node) and so is HTTPS unless {@code tls.mode = off} (else anyone on the path reads the
     * token). {@code identity} is the node certificate, HTTPS's default credentials.
     */
    static ManagementSettings read(ConfigReader http, ConfigReader ipop, Optional<NodeIdentity> identity) {
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
        return new ManagementSettings(host, port, token, allowedHosts(ipop), tls(ipop.at("tls"), http.path("hostname"), host, identity));
    }

    public boolean requiresToken() {
        return !token.isEmpty();
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** Plain HTTP on an address other hosts reach (the operator chose {@code tls.mode = off}): worth a WARN. */
    public boolean plainOffLoopback() {
        return tls.isEmpty() && !isLoopback(hostname);
    }

    private static List<String> allowedHosts(ConfigReader ipop) {
        List<String> hosts = ipop.stringList("allowed-hosts");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i).toLowerCase(Locale.ROOT);
            boolean ip6 = h.startsWith("[") && h.endsWith("]") && h.length() > 2 && h.substring(1, h.length() - 1).matches("[0-9a-f:.]+");
            if (!ip6 && !HOST_NAME.matcher(h).matches()) {
                throw new ConfigProblem(ipop.path("allowed-hosts") + "[" + i + "]", "\"" + hosts.get(i)
                        + "\" is not a host name or address as a Host header names it (no port, no scheme; IPv6 in [ ])");
            }
            out.add(h);
        }
        return out;
    }

    private static Optional<TlsCredentials> tls(ConfigReader c, String hostKey, String host, Optional<NodeIdentity> identity) {
        TlsMode mode = c.lowerCaseEnum("mode", TlsMode.class);
        String cert = c.string("cert");
        String key = c.string("key");
        if (cert.isEmpty() != key.isEmpty()) {
            throw new ConfigProblem(c.path(cert.isEmpty() ? "cert" : "key"), "required when " + (cert.isEmpty() ? "key" : "cert")
                    + " is set (both, or neither for the node certificate)");
        }
        boolean https = mode == TlsMode.ON || mode == TlsMode.AUTO && !isLoopback(host);
        if (!https) {
            return Optional.empty();
        }
        if (!cert.isEmpty()) {
            try {
                Pem.readPrivateKey(Path.of(key));         // a file that is no key is named by the key's path
            } catch (PkiException e) {
                throw new ConfigProblem(c.path("key"), e.getMessage());
            }
            try {
                return Optional.of(TlsCredentials.load(Path.of(cert), Path.of(key)));
            } catch (PkiException e) {
                throw new ConfigProblem(c.path("cert"), e.getMessage());
            }
        }
        if (identity.isPresent()) {
            return identity.map(TlsCredentials::of);
        }
        String why = mode == TlsMode.ON ? "mode = on" : hostKey + " = \"" + host + "\" is not a loopback address";
        throw new ConfigProblem(c.path("cert"), "HTTPS needs a certificate because " + why + ": set cert and key, or"
                + " ipop.security.cert and key (the node certificate), or " + c.path("mode")
                + " = off to serve plain HTTP (the token then crosses the network in clear)");
    }

    /** {@code localhost}, or an IP literal in 127.0.0.0/8 or {@code ::1}; names other than localhost count as off-loopback. */
    public static boolean isLoopback(String host) {
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
