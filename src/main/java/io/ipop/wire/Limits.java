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

    static void token(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_TOKEN) {
            throw new IllegalArgumentException(field + " must be 1.." + MAX_TOKEN + " characters");
        }
    }

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
        if (cert != null && (cert.isEmpty() || cert.length() > MAX_CERT)) {
            throw new IllegalArgumentException("cert must be 1.." + MAX_CERT + " characters");
        }
        if (sig != null && (sig.isEmpty() || sig.length() > MAX_SIG)) {
            throw new IllegalArgumentException("sig must be 1.." + MAX_SIG + " characters");
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
