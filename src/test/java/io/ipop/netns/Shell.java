package io.ipop.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs a command with a hard time limit and returns what it printed; the test fails on timeout. */
final class Shell {
    private Shell() {
    }

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** Runs {@code cmd}; stdout and stderr together. Kills it (by its own PID) after {@code limit}. */
    static Result run(Duration limit, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + limit + ": " + String.join(" ", cmd));
            }
            reader.join(5000);
            return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Result run(Duration limit, String... cmd) {
        return run(limit, List.of(cmd));
    }

    /** Like {@link #run} but fails the test if the command exits non-zero. */
    static String check(Duration limit, String... cmd) {
        Result r = run(limit, cmd);
        if (!r.ok()) {
            throw new AssertionError("exit " + r.exit() + ": " + String.join(" ", cmd) + "\n" + r.output());
        }
        return r.output();
    }

    /** Stops a process the test started, by its own PID: SIGTERM (tcpdump then flushes), SIGKILL after 5 s. */
    static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static boolean isRoot() {
        return "0".equals(run(Duration.ofSeconds(5), "id", "-u").output().trim());
    }

    /**
     * Namespace tests need root. Off CI a developer without it sees them skipped; under {@code CI=true} they
     * fail instead, so a CI that lost root cannot pass with every namespace test skipped (issue 18).
     */
    static void requireRoot() {
        if (isRoot()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("namespace tests need root, and CI=true: refusing to skip them");
        }
        Assumptions.assumeTrue(false, "needs root for namespaces and TAP devices");
    }
}
