package io.ipop.config;

/** A configuration value is missing or wrong. The message is one line and starts with the key path. */
public final class ConfigProblem extends RuntimeException {
    private final String path;

    public ConfigProblem(String path, String problem) {
        super(path + ": " + problem, null, false, false);
        this.path = path;
    }

    /** The full key path, e.g. {@code ipop.tap.address} or {@code ipop.peers[1].endpoint}. */
    public String path() {
        return path;
    }
}
