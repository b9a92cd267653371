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
