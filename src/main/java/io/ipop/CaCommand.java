package io.ipop;

import io.ipop.frame.OverlayAddress;
import io.ipop.secure.AddressGrants;
import io.ipop.secure.IssuedCertificate;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.Pem;
import io.ipop.secure.PkiException;
import io.ipop.cli.UsageErrors;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ipop-node ca init|sign|revoke ...}: creates the overlay CA and signs node certificates (see {@link OverlayCa}).
 *
 * <p>Exit codes: 0 done; 1 failed (a file exists and no {@code --force}, no CA, I/O or key error);
 * 2 bad command line or bad value (name, address, group, days). Errors are one line on {@code err}:
 * {@code ipop-node ca: ...}.
 */
@Command(name = "ca", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        customSynopsis = {"ipop-node ca init --dir DIR [--force]",
            "       ipop-node ca sign --dir DIR --name NAME --ip A.B.C.D/N [--groups G1,G2,...] [--days N] [--force]",
            "                         [--routes P1,P2,...] [--ip6 ADDR[/N],...] [--router]",
            "       ipop-node ca revoke --dir DIR --name NAME"},
        description = "The overlay CA: creates it, signs node certificates, prints revocations.",
        subcommands = {CaCommand.Init.class, CaCommand.Sign.class, CaCommand.Revoke.class},
        footerHeading = "%nExamples:%n",
        footer = {"  ipop-node ca init --dir pki",
            "  ipop-node ca sign --dir pki --name a --ip 10.77.0.1/24 --groups blue",
            "  ipop-node ca revoke --dir pki --name a"})
public final class CaCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = UsageErrors.USAGE;
    static final int DEFAULT_DAYS = 730;
    static final int MAX_DAYS = 3650;

    @Spec
    private CommandSpec spec;

    private CaCommand() {
    }

    /** @param args the arguments after {@code ca} (the tests' entry; the node's is {@link Main#run}) */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String[] all = new String[args.length + 1];
        all[0] = "ca";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.run(all, out, err);
    }

    /** {@code ipop-node ca} without a subcommand: the usage, on standard error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** Runs a subcommand's work: a bad value (IllegalArgumentException) exits 2, a PKI failure 1. */
    private static int guarded(CommandSpec spec, Work work) {
        try {
            return work.run(spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (PkiException e) {
            spec.commandLine().getErr().println("ipop-node ca: " + e.getMessage());
            return FAILED;
        }
    }

    private interface Work {
        int run(PrintWriter out) throws PkiException;
    }

    @Command(name = "init", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
            description = "Creates DIR/ca.key (mode 0600, keep it off the nodes) and DIR/ca.crt (copy it to every node).",
            footerHeading = "%nExample:%n", footer = "  ipop-node ca init --dir /root/ipop-pki")
    static final class Init implements Callable<Integer> {
        @Spec
        private CommandSpec spec;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where the CA's files go")
        private Path dir;
        @Option(names = "--force", description = "replace an existing CA")
        private boolean force;

        @Override
        public Integer call() {
            return guarded(spec, out -> init(dir, force, out));
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true, synopsisHeading = "usage: ", sortOptions = false,
            description = {"Creates DIR/NAME.key (mode 0600) and DIR/NAME.crt binding NAME, the overlay address and groups;",
                "valid for --days (default " + DEFAULT_DAYS + ", at most " + MAX_DAYS + ", never beyond the CA)."},
            footerHeading = "%nExample:%n", footer = "  ipop-node ca sign --dir pki --name a --ip 10.77.0.1/24 --groups blue,red")
    static final class Sign implements Callable<Integer> {
        @Spec
        private CommandSpec spec;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the CA's directory (ca init)")
        private Path dir;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "the node's name (ipop.node.name)")
        private String name;
        @Option(names = "--ip", required = true, paramLabel = "A.B.C.D/N", converter = AddressConverter.class,
                description = "the node's overlay address with prefix (ipop.tap.address)")
        private OverlayAddress address;
        @Option(names = "--groups", paramLabel = "G1,G2", description = "the node's groups (ipop.groups)")
        private String groups = "";
        @Option(names = "--days", paramLabel = "N", converter = DaysConverter.class, description = "validity, 1.." + MAX_DAYS)
        private int days = DEFAULT_DAYS;
        @Option(names = "--routes", paramLabel = "P1,P2", description = "IPv4/IPv6 networks behind the node it may send from"
                + " (192.168.50.0/24,fd00:50::/64)")
        private String routes = "";
        @Option(names = "--ip6", paramLabel = "ADDR[/N]", description = "the node's IPv6 addresses (fd77::1/64 grants fd77::1);"
                + " link-local needs none")
        private String ip6 = "";
        @Option(names = "--router", description = "it may send IPv6 router advertisements and redirects")
        private boolean router;
        @Option(names = "--force", description = "replace an existing NAME.key/NAME.crt")
        private boolean force;

        @Override
        public Integer call() {
            return guarded(spec, out -> sign(this, out));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
            description = {"Prints the line that revokes DIR/NAME.crt (ipop.security.revoked): add it to every node's config",
                "and reload them (SIGHUP)."},
            footerHeading = "%nExample:%n", footer = "  ipop-node ca revoke --dir pki --name b >> /etc/ipop-node/a.conf")
    static final class Revoke implements Callable<Integer> {
        @Spec
        private CommandSpec spec;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the CA's directory")
        private Path dir;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "whose certificate")
        private String name;

        @Override
        public Integer call() {
            return guarded(spec, out -> revoke(dir, name, out));
        }
    }

    /** {@code --ip}: an overlay IPv4 address with its prefix. */
    static final class AddressConverter implements ITypeConverter<OverlayAddress> {
        @Override
        public OverlayAddress convert(String value) {
            try {
                return OverlayAddress.parse(value, true);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --days}: ASCII digits only (Integer.parseInt would take other scripts' digits too), 1..MAX_DAYS. */
    static final class DaysConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (!OverlayAddress.isAsciiNumber(value, 4) || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_DAYS) {
                throw new TypeConversionException("a whole number of days, 1.." + MAX_DAYS);
            }
            return Integer.parseInt(value);
        }
    }

    private static int init(Path dir, boolean force, PrintWriter out) throws PkiException {
        OverlayCa.init(dir, force);
        Path certFile = dir.resolve(OverlayCa.CA_CERTIFICATE);
        X509Certificate ca = OverlayCa.readCaCertificate(certFile);
        out.println("wrote " + dir.resolve(OverlayCa.CA_KEY) + " (CA private key, mode 0600: keep it off the nodes)");
        out.println("wrote " + certFile + " (CA certificate: copy it to every node)");
        out.println("  expires      " + ca.getNotAfter().toInstant());
        out.println("  fingerprint  sha256:" + PeerCertificates.fingerprint(ca));
        return OK;
    }

    private static int sign(Sign o, PrintWriter out) throws PkiException {
        AddressGrants grants;
        try {
            grants = AddressGrants.parse(list(o.routes), list(o.ip6), o.router);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --routes or --ip6: " + e.getMessage(), e);
        }
        IssuedCertificate issued = OverlayCa.sign(o.dir, o.name, o.address, list(o.groups), grants, Duration.ofDays(o.days), o.force);
        PeerIdentity id = issued.identity();
        out.println("wrote " + issued.keyFile() + " (private key, mode 0600)");
        out.println("wrote " + issued.certificateFile());
        out.println("  name         " + id.name());
        out.println("  ip           " + id.address());
        out.println("  groups       " + (id.groups().isEmpty() ? "(none)" : String.join(",", id.groups())));
        if (!id.grants().isEmpty()) {
            out.println("  routes       " + (id.grants().routes().isEmpty() ? "(none)" : String.join(",", id.grants().routes())));
            out.println("  ip6          " + (id.grants().ip6().isEmpty() ? "(none)"
                    : String.join(",", id.grants().ip6().stream().map(Object::toString).toList())));
            out.println("  router       " + id.grants().router());
        }
        out.println("  expires      " + issued.notAfter());
        out.println("  fingerprint  sha256:" + id.fingerprint());
        return OK;
    }

    /** A comma-separated option's entries; none if the option is absent or empty. */
    private static List<String> list(String option) {
        String text = option.trim();
        return text.isEmpty() ? List.of() : Arrays.stream(text.split(",", -1)).map(String::trim).toList();
    }

    /**
     * Revocation is a list in each node's config, not a CRL (docs/security.md): this prints the line to add,
     * last, after what it revokes. The certificate must be one of this CA's, so a typo cannot revoke a stranger.
     */
    private static int revoke(Path dir, String name, PrintWriter out) throws PkiException {
        if (!PeerIdentity.isValidName(name)) {
            throw new IllegalArgumentException("bad --name \"" + name + "\"");
        }
        X509Certificate ca = OverlayCa.readCaCertificate(dir.resolve(OverlayCa.CA_CERTIFICATE));
        X509Certificate cert = Pem.readCertificate(dir.resolve(name + ".crt"));
        PeerIdentity id;
        try {
            // an expired certificate may still be revoked: check it as of a moment it was valid
            Instant at = Collections.min(List.of(Instant.now(), cert.getNotAfter().toInstant()));
            id = PeerCertificates.verify(ca, cert.getEncoded(), at);
        } catch (CertificateEncodingException e) {
            throw new PkiException(dir.resolve(name + ".crt") + " cannot be encoded: " + e.getMessage(), e);
        }
        out.println("revoking " + dir.resolve(name + ".crt") + ": " + id.name() + " " + id.address() + ", expires "
                + cert.getNotAfter().toInstant());
        out.println("add this line to the config of every node, then reload them (SIGHUP or POST /overlay/reload):");
        out.println("ipop.security.revoked += \"" + id.fingerprint() + "\"");
        return OK;
    }

}
