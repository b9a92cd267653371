package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaCommandTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return CaCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String pki() {
        return tmp.resolve("pki").toString();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void signGrantsRoutesIpv6AndTheRouterRoleThatPeersThenRead() throws Exception {
        assertEquals(0, run("init", "--dir", pki()));
        assertEquals(0, run("sign", "--dir", pki(), "--name", "gw", "--ip", "10.77.0.5/24", "--routes",
                "192.168.50.0/24,fd00:50::/64", "--ip6", "fd77::5/64", "--router"));
        assertTrue(out().contains("  routes       192.168.50.0/24,fd00:50::/64\n"), out());
        assertTrue(out().contains("  ip6          fd77::5/128\n"), out());
        assertTrue(out().contains("  router       true\n"), out());
        byte[] der = java.nio.file.Files.readAllBytes(Path.of(pki(), "gw.crt"));
        var ca = io.ipop.secure.OverlayCa.readCaCertificate(Path.of(pki(), "ca.crt"));
        var peer = io.ipop.secure.PeerCertificates.verify(ca,
                io.ipop.secure.Pem.readCertificate(Path.of(pki(), "gw.crt")).getEncoded(), Instant.now());
        assertEquals(List.of("192.168.50.0/24", "fd00:50::/64"), peer.grants().routes());
        assertTrue(peer.grants().router());
        assertTrue(der.length > 0);
        assertEquals(2, run("sign", "--dir", pki(), "--name", "x", "--ip", "10.77.0.6/24", "--routes", "192.168.50.1/24"));
        assertTrue(err().contains("--routes") && err().contains("host bits"), err());
        assertEquals(2, run("sign", "--dir", pki(), "--name", "x", "--ip", "10.77.0.6/24", "--ip6", "gateway.example"));
        assertTrue(err().contains("not an IPv6 address"), err());
    }

    @Test
    void initThenSignThenLoad() throws Exception {
        assertEquals(0, run("init", "--dir", pki()));
        assertTrue(out().contains("wrote " + pki() + "/ca.key"), out());
        assertTrue(out().contains("wrote " + pki() + "/ca.crt"), out());
        assertEquals("", err());
        assertEquals("rw-------", mode(Path.of(pki(), "ca.key")));

        assertEquals(0, run("sign", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24", "--groups", "red,blue", "--days", "730"));
        assertEquals("", err());
        assertTrue(out().contains("wrote " + pki() + "/a.key"), out());
        assertTrue(out().contains("wrote " + pki() + "/a.crt"), out());
        assertTrue(out().contains("  name         a\n"), out());
        assertTrue(out().contains("  ip           10.77.0.1/24\n"), out());
        assertTrue(out().contains("  groups       blue,red\n"), out());
        assertTrue(out().contains("  expires      "), out());
        assertTrue(out().matches("(?s).*  fingerprint  sha256:[0-9a-f]{64}\n.*"), out());
        assertEquals("rw-------", mode(Path.of(pki(), "a.key")));

        NodeIdentity id = NodeIdentityLoader.load(Path.of(pki(), "ca.crt"), Path.of(pki(), "a.crt"), Path.of(pki(), "a.key"));
        assertEquals(List.of("blue", "red"), id.groups());
        Instant expires = id.certificate().getNotAfter().toInstant();
        assertTrue(Duration.between(Instant.now().plus(Duration.ofDays(730)), expires).abs().toMinutes() < 1);
    }

    @Test
    void groupsMayBeOmittedOrEmpty() {
        assertEquals(0, run("init", "--dir", pki()));
        assertEquals(0, run("sign", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24"));
        assertTrue(out().contains("  groups       (none)\n"), out());
        assertEquals(0, run("sign", "--dir", pki(), "--name", "b", "--ip", "10.77.0.2/24", "--groups", ""));
        assertTrue(out().contains("  groups       (none)\n"), out());
    }

    @Test
    void existingFilesNeedForce() {
        assertEquals(0, run("init", "--dir", pki()));
        assertEquals(1, run("init", "--dir", pki()));
        assertEquals("ipop-node ca: " + pki() + "/ca.key exists; use --force to replace it\n", err());
        assertEquals(0, run("init", "--dir", pki(), "--force"));

        assertEquals(0, run("sign", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24"));
        assertEquals(1, run("sign", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24"));
        assertEquals("ipop-node ca: " + pki() + "/a.key exists; use --force to replace it\n", err());
        assertEquals(0, run("sign", "--force", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24"));
    }

    @Test
    void signWithoutCaFails() {
        assertEquals(1, run("sign", "--dir", pki(), "--name", "a", "--ip", "10.77.0.1/24"));
        assertEquals("ipop-node ca: no CA in " + pki() + ": run `ca init --dir " + pki() + "` first\n", err());
        assertFalse(Files.exists(Path.of(pki(), "a.key")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sign --name a --ip 10.77.0.1/24                      | --dir is required",
        "sign --dir D --ip 10.77.0.1/24                       | --name is required",
        "sign --dir D --name a                                | --ip is required",
        "sign --dir D --name a --ip 10.77.0.1                 | bad --ip",
        "sign --dir D --name a --ip 10.77.0.300/24            | bad --ip",
        "sign --dir D --name a/b --ip 10.77.0.1/24            | bad node name \"a/b\"",
        "sign --dir D --name ca --ip 10.77.0.1/24             | reserved",
        "sign --dir D --name a --ip 10.77.0.1/24 --groups r,  | bad group name \"\"",
        "sign --dir D --name a --ip 10.77.0.1/24 --groups b@d | bad group name \"b@d\"",
        "sign --dir D --name a --ip 10.77.0.1/24 --days 0     | bad --days \"0\"",
        "sign --dir D --name a --ip 10.77.0.1/24 --days 3651  | bad --days",
        "sign --dir D --name a --ip 10.77.0.1/24 --days -1    | bad --days",
        "sign --dir D --name a --ip 10.77.0.1/24 --days x     | bad --days",
        "sign --dir D --name a --ip 10.77.0.1/24 --days       | --days needs a value",
        "sign --dir D --name a --name b --ip 10.77.0.1/24     | --name given twice",
        "init --dir D --name a                                | unknown option --name for ca init",
        "init --dir D --bogus                                 | unknown option --bogus",
        "init                                                 | --dir is required",
        "frobnicate --dir D                                   | unknown subcommand \"frobnicate\"",
    })
    void badUsageExitsTwoWithOneLine(String command, String expected) {
        assertEquals(0, run("init", "--dir", pki()));
        String[] args = command.trim().replace(" D", " " + pki()).split(" +");
        assertEquals(2, run(args), command);
        assertTrue(err().startsWith("ipop-node ca: "), err());
        assertTrue(err().contains(expected), err());
        assertEquals(1, err().lines().count(), err());
        assertFalse(Files.exists(Path.of(pki(), "a.key")));
    }

    @Test
    void helpAndNoArguments() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith("usage: ipop-node ca init"));
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: ipop-node ca init"));
    }
}
