package io.ipop.wire;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import java.util.List;

/** Field checks for control messages; each failure is an IllegalArgumentException naming the field. */
final class Limits {
    static final int MAX_TOKEN = 64;
    static final int MAX_GROUPS = 64;
    static final int MAX_TEXT = 200;
    /** Base64 of a DER certificate; ipop-node's P-256 certificates are about 600 bytes (800 in base64). */
    static final int MAX_CERT = 4096;
    static final int MAX_SIG = 200;
    /**
     * Peers in one {@code peers} message. Each takes at most about 210 bytes (a 64-character name, an
     * address, 4 candidates of 21 characters), so 16 and the message's own fields stay well within a
     * 4096-byte control frame (NatMessagesTest builds the worst case).
     */
    static final int MAX_ANNOUNCED = 16;
    static final int MAX_CANDIDATES = 4;

    private Limits() {
    }

    /**
     * Names, instances, nonces, groups: 1..{@value #MAX_TOKEN} of {@code A-Z a-z 0-9 . _ -}. No separator of
     * the signed form ({@code HelloSigning}: newline, comma, colon) can occur inside one, so two different
     * hellos never sign the same bytes (a field cannot be shifted into its neighbour).
     */
    static void token(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_TOKEN) {
            throw new IllegalArgumentException(field + " must be 1.." + MAX_TOKEN + " characters");
        }
        if (!TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " may hold only A-Z a-z 0-9 . _ -");
        }
    }

    /** True if {@code value} is a token ({@link #token}). */
    static boolean isToken(String value) {
        return value != null && value.length() <= MAX_TOKEN && TOKEN.matcher(value).matches();
    }

    /** Standard base64 with padding (a certificate, a signature). */
    static void base64(String field, String value, int max) {
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(field + " must be 1.." + max + " characters");
        }
        if (!BASE64.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be base64 (A-Z a-z 0-9 + / =)");
        }
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");
    private static final java.util.regex.Pattern BASE64 = java.util.regex.Pattern.compile("[A-Za-z0-9+/=]+");

    static void optionalToken(String field, String value) {
        if (value != null) {
            token(field, value);
        }
    }

    static void text(String field, String value) {
        if (value == null || value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(field + " missing or longer than " + MAX_TEXT + " characters");
        }
    }

    /** A list of 1..{@value #MAX_CANDIDATES} IPv4 endpoints {@code a.b.c.d:port}; returns an immutable copy. */
    static List<String> endpoints(String field, List<String> values) {
        if (values == null || values.isEmpty() || values.size() > MAX_CANDIDATES) {
            throw new IllegalArgumentException(field + " must hold 1.." + MAX_CANDIDATES + " endpoints");
        }
        for (String v : values) {
            if (v == null || !ENDPOINT.matcher(v).matches()) {
                throw new IllegalArgumentException(field + " holds \"" + v + "\", not an IPv4 endpoint a.b.c.d:port");
            }
            int port = Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(field + " holds port " + port + ", out of range 1..65535");
            }
        }
        return List.copyOf(values);
    }

    private static final java.util.regex.Pattern ENDPOINT = java.util.regex.Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}:[0-9]{1,5}");

    /** Checks the {@link ControlMessage.Hello} fields and returns an immutable copy of the groups. */
    static List<String> hello(String node, String instance, String ip, String mac, List<String> groups,
                              String nonce, int index, String cert, String sig) {
        if (cert != null) {
            base64("cert", cert, MAX_CERT);
        }
        if (sig != null) {
            base64("sig", sig, MAX_SIG);
        }
        token("node", node);
        token("instance", instance);
        token("nonce", nonce);
        if (ip == null) {
            throw new IllegalArgumentException("ip missing");
        }
        OverlayAddress.parse(ip, true);
        if (mac == null) {
            throw new IllegalArgumentException("mac missing");
        }
        MacAddress.parse(mac);
        if (index == 0) {
            throw new IllegalArgumentException("index must not be 0");
        }
        if (groups == null || groups.size() > MAX_GROUPS) {
            throw new IllegalArgumentException("groups missing or more than " + MAX_GROUPS);
        }
        groups.forEach(g -> token("group", g));
        return List.copyOf(groups);
    }
}
