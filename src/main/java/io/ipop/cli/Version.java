package io.ipop.cli;

import picocli.CommandLine;

/**
 * {@code ipop-node --version}: the project version from the jar's manifest ({@code Implementation-Version},
 * written by the build), and the Java runtime running it, which the package's launcher chose, with the heap
 * cap it was given (-Xmx from /etc/default/ipop-node).
 */
public final class Version implements CommandLine.IVersionProvider {
    /** The version of this build, or {@code dev} when not run from the packaged jar (an IDE, unit tests). */
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ipop-node " + current(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ", " + System.getProperty("java.home")
                    + "), max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB"};
    }
}
