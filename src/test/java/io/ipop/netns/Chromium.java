package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium inside a test's namespace, one bounded run per call, with a fresh profile each time. */
final class Chromium {
    private static final Duration LIMIT = Duration.ofSeconds(90);

    private Chromium() {
    }

    /** Chromium must be there when the test runs (as root, in CI): .ci/run installs Debian's package. */
    static String binary() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (new File(c).canExecute()) {
                return c;
            }
        }
        throw new AssertionError("chromium is not installed: apt-get install -y chromium (.ci/run does)");
    }

    /**
     * Runs headless Chromium in {@code host}'s namespace with a fresh profile in {@code profile} and returns
     * what it printed on stdout. Stopped (with every process it started, by PID) if it overruns {@link #LIMIT}.
     */
    static String run(Topology topology, String host, Path profile, String... args) throws Exception {
        deleteTree(profile);
        Files.createDirectories(profile);
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.ns(host), binary(), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        cmd.addAll(List.of(args));
        Path stderr = profile.resolveSibling(profile.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        byte[][] stdout = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                stdout[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                stdout[0] = new byte[0];
            }
        });
        reader.start();
        try {
            if (!p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("chromium did not finish within " + LIMIT + ": " + String.join(" ", cmd));
            }
            reader.join(5000);
            assertEquals(0, p.exitValue(), "chromium failed, see " + stderr);
            return stdout[0] == null ? "" : new String(stdout[0], StandardCharsets.UTF_8);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
