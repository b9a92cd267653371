package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Debian package from {@code mvn package} (target/ipop-node_VERSION_all.deb), installed into this host
 * with apt-get, used through the installed command, then purged: nothing of it may be left but the file
 * the operator made. No namespace and no node process: named *NetnsIT because it needs root and changes the
 * host, so it runs with the namespace tests (under {@code flock /tmp/ipop-netns.lock}). It refuses to run
 * where ipop-node is already installed or /etc/ipop-node exists, and purges the package in {@code finally}.
 */
class PackageNetnsIT {
    private static final Duration APT = Duration.ofMinutes(3);
    private static final Duration CMD = Duration.ofSeconds(60);

    private static Path deb() throws IOException {
        Path target = Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(target)) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("ipop-node_.*_all\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in " + target + " (mvn package builds it; needs dpkg-deb): " + debs);
            return debs.get(0);
        }
    }

    private static boolean installed() {
        return Shell.run(CMD, "dpkg-query", "-W", "-f=${Status}", "ipop-node").output().contains("installed");
    }

    @Test
    void installRunTheCommandThenPurgeLeavesNothingButTheOperatorsFiles() throws Exception {
        Shell.requireRoot();
        Path deb = deb();
        Assumptions.assumeFalse(installed() || Files.exists(Path.of("/etc/ipop-node")) || Files.exists(Path.of("/usr/bin/ipop-node")),
                "ipop-node is installed on this host already: not touching it");
        Path tmp = Files.createTempDirectory("ipop-pkg");
        Path operatorsFile = Path.of("/etc/ipop-node/b.conf");
        try {
            String info = Shell.check(CMD, "dpkg-deb", "--field", deb.toString(), "Depends");
            assertTrue(info.contains("default-jre-headless (>= 2:1.17) | java17-runtime-headless"), info);
            assertEquals(List.of("/etc/ipop-node/a.conf", "/etc/default/ipop-node"), conffiles(deb, tmp));

            Shell.check(APT, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends",
                    deb.toString());
            assertTrue(installed());
            List<String> files = new ArrayList<>(Shell.check(CMD, "dpkg", "-L", "ipop-node").lines()
                    .filter(f -> Files.isRegularFile(Path.of(f))).toList());        // not /lib etc., shared directories
            for (String f : List.of("/usr/bin/ipop-node", "/usr/share/ipop-node/ipop-node.jar", "/etc/ipop-node/a.conf",
                    "/etc/default/ipop-node", "/lib/systemd/system/ipop-node@.service", "/usr/share/bash-completion/completions/ipop-node",
                    "/usr/share/ipop-node/grafana/ipop-node.json")) {
                assertTrue(files.contains(f), f + " in " + files);
            }
            assertTrue(Shell.run(CMD, "getent", "passwd", "ipop-node").ok(), "the system user the units run as");
            assertEquals("root ipop-node 750", Shell.check(CMD, "stat", "-c", "%U %G %a", "/etc/ipop-node").trim(),
                    "configs and keys: root writes, the node reads, nobody else");
            String unit = Files.readString(Path.of("/lib/systemd/system/ipop-node@.service"));
            for (String line : List.of("User=ipop-node", "AmbientCapabilities=CAP_NET_ADMIN", "CapabilityBoundingSet=CAP_NET_ADMIN",
                    "NoNewPrivileges=yes", "ExecStart=/usr/bin/ipop-node --config /etc/ipop-node/%i.conf",
                    "ExecReload=/bin/kill -HUP $MAINPID")) {
                assertTrue(unit.lines().anyMatch(line::equals), line + " in the unit");
            }

            String version = Shell.check(CMD, "ipop-node", "--version");
            assertTrue(version.startsWith("ipop-node "), version);
            assertTrue(version.matches("(?s).*max heap 1[0-9][0-9] MB.*"), "-Xmx128m from /etc/default/ipop-node: " + version);
            String check = Shell.check(CMD, "ipop-node", "--config", "/etc/ipop-node/a.conf", "--check-config");
            assertTrue(check.startsWith("config ok: node a 10.77.0.1/24"), check);
            Path pki = tmp.resolve("pki");
            String ca = Shell.check(CMD, "ipop-node", "ca", "init", "--dir", pki.toString());
            assertTrue(ca.contains("wrote " + pki.resolve("ca.crt")), ca);
            assertTrue(Files.isRegularFile(pki.resolve("ca.key")));
            Shell.check(CMD, "ipop-node", "init", "--name", "b", "--ip", "10.77.0.2/24", "--peer", "a=198.51.100.1:5800",
                    "--out", operatorsFile.toString());
            Shell.check(CMD, "ipop-node", "--config", operatorsFile.toString(), "--check-config");
            Shell.Result bad = Shell.run(CMD, "ipop-node", "ca", "sign", "--dir", pki.toString(), "--name", "x");
            assertEquals(2, bad.exit(), bad.output());

            Shell.check(APT, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", "-q", "ipop-node");
            assertFalse(installed());
            List<String> left = files.stream().filter(f -> Files.exists(Path.of(f))).toList();
            assertEquals(List.of(), left, "files of the package left after purge");
            assertTrue(Files.isRegularFile(operatorsFile), "the operator's config stays");
            try (Stream<Path> etc = Files.list(Path.of("/etc/ipop-node"))) {
                assertEquals(List.of(operatorsFile), etc.toList(), "nothing else in /etc/ipop-node");
            }
            assertFalse(Shell.run(CMD, "getent", "passwd", "ipop-node").ok(), "the user the package made is gone");
        } finally {
            if (installed()) {
                Shell.run(APT, "env", "DEBIAN_FRONTEND=noninteractive", "dpkg", "--purge", "ipop-node");
            }
            Files.deleteIfExists(operatorsFile);
            Shell.run(CMD, "rmdir", "--ignore-fail-on-non-empty", "/etc/ipop-node");
            Shell.run(CMD, "rm", "-rf", tmp.toString());
        }
    }

    /** DEBIAN/conffiles of the package. */
    private static List<String> conffiles(Path deb, Path tmp) {
        Path ctrl = tmp.resolve("control");
        Shell.check(CMD, "dpkg-deb", "--control", deb.toString(), ctrl.toString());
        try {
            return Files.readAllLines(ctrl.resolve("conffiles"));
        } catch (IOException e) {
            throw new AssertionError("no DEBIAN/conffiles: " + e.getMessage(), e);
        }
    }
}
