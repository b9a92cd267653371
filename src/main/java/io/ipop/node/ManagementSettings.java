package io.ipop.node;

/** {@code pekko.management.http}: where the management API listens. */
public record ManagementSettings(String hostname, int port) {

    static ManagementSettings read(ConfigReader c) {
        String host = c.string("hostname");
        if (host.isBlank()) {
            throw new ConfigProblem(c.path("hostname"), "must not be empty");
        }
        return new ManagementSettings(host, c.intIn("port", 1, 65535));
    }
}
