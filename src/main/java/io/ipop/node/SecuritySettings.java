package io.ipop.node;

/** {@code ipop.security}: which links are encrypted. */
public record SecuritySettings(Mode mode) {

    /** How a link's security is decided. */
    public enum Mode { BY_GROUP, ALWAYS, NEVER }

    static SecuritySettings read(ConfigReader c) {
        Mode mode = c.lowerCaseEnum("mode", Mode.class);
        if (mode != Mode.NEVER) {
            // Secure links (DTLS) are not in this build yet: refuse rather than silently send plaintext.
            throw new ConfigProblem(c.path("mode"), "\"" + c.string("mode")
                    + "\" needs DTLS links, which this version does not provide yet; set mode = never");
        }
        return new SecuritySettings(mode);
    }
}
