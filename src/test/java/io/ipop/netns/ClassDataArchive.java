package io.ipop.netns;

import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * A class-data archive (AppCDS) of the node jar, so that the hundreds of node processes the namespace
 * tests start map their classes instead of loading and verifying them: a node reaches {@code /ready} in
 * about 60 % of the CPU time (docs/performance.md, "Class-data sharing"). The suite's time is mostly node
 * starts on a 2-core machine, so this is what keeps it well under its budget (docs/testing.md).
 *
 * <p>The archive is written once per jar, next to it ({@code ipop-node.jsa}), by a node that ran a secure
 * cluster link (so the cluster, TLS and DTLS classes are in it too) and then stopped. A jar newer than
 * the archive makes a new one. The JVM checks that the archive belongs to the jar it runs and silently
 * runs without it otherwise, so a stale archive costs speed, never correctness. {@code -Dipop.cds=false}
 * turns it off; if writing it fails the tests run without it and say so on stderr.
 */
final class ClassDataArchive {
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static List<String> options;

    private ClassDataArchive() {
    }

    /** The JVM options that make a node use the archive (written first if needed), or none. */
    static synchronized List<String> options(String jar) {
        if (options == null) {
            options = "false".equals(System.getProperty("ipop.cds")) ? List.of() : prepare(Path.of(jar));
        }
        return options;
    }

    private static List<String> prepare(Path jar) {
        Path archive = jar.resolveSibling("ipop-node.jsa");
        try {
            if (!Files.isRegularFile(archive)
                    || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                write(jar, archive);
            }
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:class+path=off");
        } catch (Exception | AssertionError e) {
            System.err.println("class-data archive not written, nodes start without it: " + e);
            return List.of();
        }
    }

    /** Runs node a (seed) and b until their secure link is up, then stops a, which writes the archive. */
    private static void write(Path jar, Path archive) throws Exception {
        Path dir = NodeProcess.logDir("ClassDataArchive");
        Path pki = dir.resolve("pki").toAbsolutePath();
        OverlayCa.init(pki, true);
        for (int h = 1; h <= 2; h++) {
            OverlayCa.sign(pki, h == 1 ? "a" : "b", OverlayAddress.parse("10.77.0." + h + "/24", true), List.of("blue"),
                    Duration.ofDays(1), true);
        }
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        String seed = "pekko://ipop@192.0.2.1:17355";
        try (Topology topology = new Topology().host("a", 1).host("b", 2);
             NodeProcess a = NodeProcess.startWithoutArchive(topology, "a", NodeConfig.clusterNode("a", 1, pki, seed),
                     "ClassDataArchive", List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off"));
             NodeProcess b = NodeProcess.startWithoutArchive(topology, "b", NodeConfig.clusterNode("b", 2, pki, seed),
                     "ClassDataArchive", List.of())) {
            a.await(LIMIT, "a secure link to b", n -> "up".equals(n.linkState("b")));
            if (a.terminate(LIMIT) != 0 || !Files.isRegularFile(partial)) {
                throw new IOException("node a stopped without writing " + partial + "\n" + a.logTail());
            }
        }
        Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
