package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which Java the package's launcher ({@code src/deb/ipop-node}) and {@code scripts/java-home} choose, on fake Java
 * homes (a {@code release} file and a {@code bin/java} that prints its path and arguments): {@code JAVA_HOME} if it
 * is Java 17+, else the newest 17+ in the JVM directory ({@code IPOP_JVM_DIR}), else {@code java} on the PATH.
 */
class JavaChoiceTest {
    @TempDir
    Path tmp;
    private Path jvm;
    private Path path;

    @BeforeEach
    void homes() throws IOException {
        jvm = Files.createDirectories(tmp.resolve("jvm"));
        javaHome(jvm.resolve("jdk-11"), "11.0.2");
        javaHome(jvm.resolve("jdk-17"), "17.0.15");
        javaHome(jvm.resolve("jdk-25"), "25.0.3");
        javaHome(tmp.resolve("elsewhere/jdk-21"), "21.0.1");
        // a PATH with the 21 as `java` and only the tools the scripts use: no /usr/bin/java
        path = Files.createDirectories(tmp.resolve("path"));
        Files.createSymbolicLink(path.resolve("java"), tmp.resolve("elsewhere/jdk-21/bin/java"));
        for (String tool : List.of("sed", "dirname", "readlink", "head")) {
            executable(path.resolve(tool), "#!/bin/sh\nexec /usr/bin/" + tool + " \"$@\"\n");
        }
    }

    private static void javaHome(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        for (String tool : List.of("java", "javac")) {
            executable(home.resolve("bin").resolve(tool), "#!/bin/sh\necho \"$0 $*\"\n");
        }
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(String script, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", Path.of(script).toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", path.toString());
        pb.environment().put("IPOP_JVM_DIR", jvm.toString());
        pb.environment().put("IPOP_DEFAULTS", "/nonexistent");
        pb.environment().put("IPOP_JAR", "/x/ipop-node.jar");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), script + " ended");
        return new Run(p.exitValue(), out, err);
    }

    private Run launcher(Map<String, String> env) throws Exception {
        return run("src/deb/ipop-node", env, "--version");
    }

    private String bin(String home) {
        return tmp.resolve(home).resolve("bin/java").toString();
    }

    @Test
    void theLauncherRunsTheNewestRuntimeInTheJvmDirectoryBeforeJavaOnThePath() throws Exception {
        Run r = launcher(Map.of("IPOP_JAVA_OPTS", "-Xmx128m"));
        assertEquals(new Run(0, bin("jvm/jdk-25") + " --sun-misc-unsafe-memory-access=allow -Xmx128m -jar /x/ipop-node.jar --version", ""),
                r, "Java 23+ gets the option that lets JNR use sun.misc.Unsafe without a warning");
    }

    @Test
    void theLaunchersJavaHomeWinsIfItIsJava17OrLater() throws Exception {
        assertEquals(bin("jvm/jdk-17") + " -jar /x/ipop-node.jar --version",
                launcher(Map.of("JAVA_HOME", tmp.resolve("jvm/jdk-17").toString())).out());
        assertEquals(bin("jvm/jdk-25") + " --sun-misc-unsafe-memory-access=allow -jar /x/ipop-node.jar --version",
                launcher(Map.of("JAVA_HOME", tmp.resolve("jvm/jdk-11").toString())).out(), "a Java 11 JAVA_HOME is passed over");
    }

    @Test
    void theLauncherFallsBackToJavaOnThePathThenFailsNamingWhereItLooked() throws Exception {
        Path onlyOld = Files.createDirectories(tmp.resolve("old"));
        Files.move(jvm.resolve("jdk-11"), onlyOld.resolve("jdk-11"));
        Map<String, String> env = Map.of("IPOP_JVM_DIR", onlyOld.toString());
        assertEquals(path.resolve("java") + " -jar /x/ipop-node.jar --version", launcher(env).out());

        Files.delete(path.resolve("java"));
        Run none = launcher(env);
        assertEquals(1, none.exit());
        assertTrue(none.err().startsWith("ipop-node: no Java 17 or later found (JAVA_HOME, " + onlyOld + ", PATH)"), none.err());
    }

    @Test
    void javaHomeScriptPrintsTheNewestJdkOrJavaHome() throws Exception {
        assertEquals(new Run(0, tmp.resolve("jvm/jdk-25").toRealPath().toString(), ""), run("scripts/java-home", Map.of()));
        String pinned = tmp.resolve("jvm/jdk-17").toString();
        assertEquals(new Run(0, pinned, ""), run("scripts/java-home", Map.of("JAVA_HOME", pinned)));
        Run old = run("scripts/java-home", Map.of("JAVA_HOME", tmp.resolve("jvm/jdk-11").toString()));
        assertEquals(1, old.exit(), "an explicit JAVA_HOME below 17 is an error, not passed over");
        assertTrue(old.err().startsWith("java-home: JAVA_HOME=" + tmp.resolve("jvm/jdk-11")), old.err());

        Files.delete(tmp.resolve("jvm/jdk-25/bin/javac"));
        assertEquals(tmp.resolve("elsewhere/jdk-21").toRealPath().toString(), run("scripts/java-home", Map.of()).out(),
                "a JDK for Maven: the 25 without javac is left out, the 21 on the PATH is newer than the 17");
        assertEquals(tmp.resolve("jvm/jdk-25").toRealPath().toString(), run("scripts/java-home", Map.of(), "--runtime").out());
    }
}
