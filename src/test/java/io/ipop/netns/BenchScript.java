package io.ipop.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of {@code bench/} for a smoke test: bounded in time, stopped (SIGTERM, which its trap turns into
 * stopping its nodes and deleting its namespaces, then SIGKILL) if it overruns, and any namespace it left
 * behind deleted afterwards, by its name prefix ({@code <letters><script pid>-}).
 */
final class BenchScript {
    /** The output, the exit status, and the namespaces the script had left when it ended (then deleted). */
    record Result(String output, int exit, List<String> leftBehind) {
        String lastLine() {
            List<String> lines = Arrays.asList(output.strip().split("\n"));
            return lines.get(lines.size() - 1).strip();
        }
    }

    private BenchScript() {
    }

    /**
     * {@code IPOP_JAVA_OPTS} for the nodes a script starts: the suite's class-data archive ({@link ClassDataArchive}),
     * no warm-up and C1 only ({@link NodeProcess#QUICK_JIT}), as the suite's own nodes; {@code extra} first. The smoke
     * runs measure nothing, so nodes that start on half the CPU only make them shorter.
     */
    static String nodeJavaOpts(String jar, String... extra) {
        List<String> options = new java.util.ArrayList<>(List.of(extra));
        options.addAll(ClassDataArchive.options(jar));
        options.add(NodeProcess.NO_WARM_UP);
        options.add(NodeProcess.QUICK_JIT);
        return String.join(" ", options);
    }

    /**
     * @param script    e.g. {@code bench/throughput.sh}
     * @param nsPrefix  the letters its namespaces start with before its PID ({@code ipb}, {@code ipc})
     */
    static Result run(String script, List<String> args, Map<String, String> env, String nsPrefix, Duration limit)
            throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", Path.of(script).toAbsolutePath().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("BENCH_KEEP");
        // the suite's own Java (bench/lib.sh pick_java, and first on the PATH for a script that does not call it): the
        // class-data archive of nodeJavaOpts works only with the java that wrote it
        String javaHome = System.getProperty("java.home");
        pb.environment().put("IPOP_JAVA_HOME", javaHome);
        pb.environment().merge("PATH", javaHome + "/bin", (path, bin) -> bin + ":" + path);
        pb.environment().putAll(env);
        Process p = pb.start();
        String prefix = nsPrefix + p.pid() + "-";           // bash execs no wrapper: p.pid() is the script's
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(output lost: ").append(e.getMessage()).append(')');
            }
        });
        reader.start();
        List<String> left;
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                reader.join(5000);
                throw new AssertionError(script + " did not finish within " + limit + "\n" + out);
            }
            reader.join(10_000);
        } finally {
            if (p.isAlive()) {
                stop(p);
            }
            left = namespaces(prefix);
            for (String ns : left) {
                Shell.run(Duration.ofSeconds(10), "ip", "netns", "del", ns);
            }
        }
        return new Result(out.toString(), p.exitValue(), left);
    }

    /** SIGTERM (the script's trap stops its nodes and deletes its namespaces), then SIGKILL of what is left. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The namespaces whose names start with {@code prefix} that exist now. */
    private static List<String> namespaces(String prefix) {
        String list = Shell.run(Duration.ofSeconds(10), "ip", "netns", "list").output();
        return Arrays.stream(list.split("\n")).map(l -> l.split(" ")[0].strip()).filter(n -> n.startsWith(prefix)).toList();
    }
}
