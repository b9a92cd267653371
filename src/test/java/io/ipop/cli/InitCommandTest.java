package io.ipop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import io.ipop.node.NodeSettings;
import io.ipop.secure.OverlayCa;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code ipop-node init}: what it writes passes the validation of {@code --check-config}
 * ({@link NodeSettings#load}, the same call), and a flag whose value that validation refuses is named.
 */
class InitCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        CommandLine cli = new CommandLine(InitCommand.class).setCommandName("ipop-node init");
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8)).setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cli.execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theIssuesExampleWritesAConfigThatChecksOk() throws Exception {
        assertEquals(0, run("--name", "a", "--ip", "10.77.0.1/24", "--peer", "b=198.51.100.2:5800", "--groups", "blue"), err());
        Path file = Files.writeString(dir.resolve("a.conf"), out());
        NodeSettings s = NodeSettings.load(file.toFile());
        assertEquals("a", s.name());
        assertEquals("10.77.0.1/24", s.tap().address().toString());
        assertEquals(List.of("blue"), s.groups());
        assertEquals(1, s.peers().size());
        assertEquals("b", s.peers().get(0).name());
        assertTrue(out().lines().filter(l -> l.strip().startsWith("#")).count() >= 8, "commented: " + out());
    }

    @Test
    void withAPkiTheNodesCertificateIsConfiguredAndChecked() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        Path file = dir.resolve("a.conf");
        assertEquals(0, run("--name", "a", "--ip", "10.77.0.1/24", "--peer", "b=198.51.100.2:5800", "--peer", "c=198.51.100.3:5800",
                "--groups", "blue", "--pki", pki.toString(), "--out", file.toString()), err());
        assertEquals("", out());
        NodeSettings s = NodeSettings.load(file.toFile());
        assertTrue(s.security().identity().isPresent());
        assertEquals(2, s.peers().size());
        // the certificate binds group blue: a config that says red is refused, and named as --groups
        assertEquals(2, run("--name", "a", "--ip", "10.77.0.1/24", "--groups", "red", "--pki", pki.toString()));
        assertTrue(err().startsWith("ipop-node init: bad --groups: ") || err().startsWith("ipop-node init: bad --pki: "), err());
    }

    @Test
    void anExistingFileIsReplacedOnlyWithForce() throws Exception {
        Path file = Files.writeString(dir.resolve("a.conf"), "mine\n");
        String[] args = {"--name", "a", "--ip", "10.77.0.1/24", "--out", file.toString()};
        assertEquals(1, run(args));
        assertEquals("ipop-node init: " + file + " exists; use --force to replace it\n", err());
        assertEquals("mine\n", Files.readString(file));
        String[] forced = {"--name", "a", "--ip", "10.77.0.1/24", "--out", file.toString(), "--force"};
        assertEquals(0, run(forced));
        assertEquals("a", NodeSettings.load(file.toFile()).name());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--ip 10.77.0.1/24                                    | --name is required",
        "--name a                                             | --ip is required",
        "--name a --ip 10.77.0.300/24                         | bad --ip: ipop.tap.address",
        "--name a --ip 10.77.0.1                              | bad --ip: ipop.tap.address",
        "--name a/b --ip 10.77.0.1/24                         | bad --name: ipop.node.name",
        "--name a --ip 10.77.0.1/24 --peer b                  | bad --peer \"b\": expected NAME=HOST:PORT",
        "--name a --ip 10.77.0.1/24 --peer b=198.51.100.2     | bad --peer: ipop.peers[0]",
        "--name a --ip 10.77.0.1/24 --peer a=198.51.100.2:1   | bad --peer: ipop.peers",
        "--name a --ip 10.77.0.1/24 --groups b@d              | bad --groups: ipop.groups[0]",
        "--name a --ip 10.77.0.1/24 --port 70000              | bad --port: ipop.underlay.port",
        "--name a --ip 10.77.0.1/24 --port x                  | bad --port \"x\"",
        "--name a --ip 10.77.0.1/24 --pki /nonexistent        | bad --pki: ipop.security",
        "--name a --ip 10.77.0.1/24 --bogus                   | unknown option --bogus",
    })
    void aBadFlagExitsTwoNamingIt(String command, String expected) {
        assertEquals(2, run(command.trim().split(" +")), err());
        assertTrue(err().startsWith("ipop-node init: " + expected), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out(), "nothing written");
    }

    @Test
    void aValueCannotAddKeysOfItsOwn() throws Exception {
        assertEquals(2, run("--name", "a\", tap.mtu = 9000, x = \"", "--ip", "10.77.0.1/24"));
        assertTrue(err().startsWith("ipop-node init: bad --name: ipop.node.name"), err());
    }
}
