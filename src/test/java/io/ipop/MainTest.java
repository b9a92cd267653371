package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line; only with --check-config, so no TAP device or socket is ever created. */
class MainTest {
    private static final String VALID = """
            ipop {
              node.name = "a"
              tap { name = "ipop0", address = "10.77.0.1/24", mtu = 1400 }
              peers = [ { name = "b", endpoint = "192.0.2.2:5800" } ]
            }
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("node.conf"), text);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void checkConfigOnAValidFileSucceeds() throws IOException {
        assertEquals(Main.OK, run("--config", file(VALID).toString(), "--check-config"));

        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("config ok"), out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(), errLines());
    }

    @Test
    void argumentOrderDoesNotMatter() throws IOException {
        assertEquals(Main.OK, run("--check-config", "--config", file(VALID).toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("config ok"));
    }

    @Test
    void badValueExitsWithUsageAndOneErrorLineNamingTheKey() throws IOException {
        Path bad = file(VALID.replace("10.77.0.1/24", "10.77.0.300/24"));

        assertEquals(Main.USAGE, run("--config", bad.toString(), "--check-config"));

        List<String> lines = errLines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("ipop.tap.address"), lines.get(0));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void missingRequiredKeyIsNamed() throws IOException {
        Path bad = file(VALID.replace("node.name = \"a\"", ""));

        assertEquals(Main.USAGE, run("--config", bad.toString(), "--check-config"));
        assertTrue(errLines().get(0).contains("ipop.node.name"), errLines().toString());
    }

    @Test
    void hoconSyntaxErrorExitsWithUsage() throws IOException {
        Path bad = file("ipop { node.name = \"a\"\n tap { address = ");

        assertEquals(Main.USAGE, run("--config", bad.toString(), "--check-config"));
        assertEquals(1, errLines().size(), errLines().toString());
    }

    @Test
    void nonexistentFileExitsWithUsage() {
        Path missing = dir.resolve("absent.conf");

        assertEquals(Main.USAGE, run("--config", missing.toString(), "--check-config"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("absent.conf"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void directoryInsteadOfFileExitsWithUsage() {
        assertEquals(Main.USAGE, run("--config", dir.toString(), "--check-config"));
    }

    @Test
    void noArgumentsExitWithUsage() {
        assertEquals(Main.USAGE, run());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"));
    }

    @Test
    void configWithoutFileExitsWithUsage() {
        assertEquals(Main.USAGE, run("--check-config", "--config"));
    }

    @Test
    void unknownArgumentExitsWithUsage() throws IOException {
        assertEquals(Main.USAGE, run("--config", file(VALID).toString(), "--check-config", "--verbose"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--verbose"));
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing validated or started");
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        assertEquals(Main.OK, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage:"));
    }

    @Test
    void managementApiOffLoopbackWithoutTokenIsAConfigError() throws IOException {
        Path conf = file(VALID + "pekko.management.http.hostname = \"0.0.0.0\"\n");
        assertEquals(Main.USAGE, run("--config", conf.toString(), "--check-config"));
        assertEquals(1, errLines().size(), errLines().toString());
        assertTrue(errLines().get(0).startsWith("ipop-node: config error: ipop.management.token: required"), errLines().get(0));
    }

    @Test
    void badLogFormatIsAConfigErrorNamingTheKey() throws IOException {
        Path conf = file(VALID.replace("ipop {", "ipop {\n  log.format = xml"));
        assertEquals(Main.USAGE, run("--config", conf.toString(), "--check-config"));
        assertEquals(List.of("ipop-node: config error: ipop.log.format: unknown format \"xml\" (expected text or json)"), errLines());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void statusWithABadArgumentExitsWithUsage() {
        assertEquals(Main.USAGE, run("status", "--url"));
        assertEquals(Main.USAGE, run("status", "--verbose"));
        assertEquals(Main.USAGE, run("status", "--url", "127.0.0.1:8558"));
    }

    @Test
    void statusOfANodeThatDoesNotAnswerExitsOneAndSaysSo() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();                    // free again once closed: nothing listens there
        }
        assertEquals(Main.FAILED, run("status", "--url", "http://127.0.0.1:" + port));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no answer from http://127.0.0.1:" + port),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
