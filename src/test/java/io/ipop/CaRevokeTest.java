package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.secure.PeerCertificates;
import io.ipop.secure.Pem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ca revoke}: prints the config line that revokes a node's certificate. */
class CaRevokeTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return CaCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsTheLineThatRevokesTheNamedCertificateLast() throws Exception {
        String pki = tmp.resolve("pki").toString();
        assertEquals(0, run("init", "--dir", pki));
        assertEquals(0, run("sign", "--dir", pki, "--name", "b", "--ip", "10.77.0.2/24", "--groups", "blue"));
        assertEquals(0, run("revoke", "--dir", pki, "--name", "b"));
        String fp = PeerCertificates.fingerprint(Pem.readCertificate(Path.of(pki, "b.crt")));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("ipop.security.revoked += \"" + fp + "\"", lines.get(lines.size() - 1));
        assertTrue(lines.get(0).contains("b 10.77.0.2/24"), lines.get(0));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownNameFailsAndAMissingOneIsAUsageError() {
        String pki = tmp.resolve("pki").toString();
        assertEquals(0, run("init", "--dir", pki));
        assertEquals(CaCommand.FAILED, run("revoke", "--dir", pki, "--name", "nobody"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ipop-node ca: "), err.toString(StandardCharsets.UTF_8));
        assertEquals(CaCommand.USAGE, run("revoke", "--dir", pki));
        assertEquals(CaCommand.USAGE, run("revoke", "--dir", pki, "--name", "b", "--ip", "10.77.0.2/24"));
    }
}
