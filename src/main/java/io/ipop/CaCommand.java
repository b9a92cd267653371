package io.ipop;

import io.ipop.frame.OverlayAddress;
import io.ipop.secure.AddressGrants;
import io.ipop.secure.IssuedCertificate;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.PkiException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ipop-node ca init|sign ...}: creates the overlay CA and signs node certificates (see {@link OverlayCa}).
 *
 * <p>Exit codes: 0 done; 1 failed (a file exists and no {@code --force}, no CA, I/O or key error);
 * 2 bad command line or bad value (name, address, group, days). Errors are one line on {@code err}:
 * {@code ipop-node ca: ...}.
 */
public final class CaCommand {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int DEFAULT_DAYS = 730;
    static final int MAX_DAYS = 3650;
    static final String USAGE_TEXT = """
            usage: ipop-node ca init --dir DIR [--force]
                   ipop-node ca sign --dir DIR --name NAME --ip A.B.C.D/N [--groups G1,G2,...] [--days N] [--force]
                                     [--routes P1,P2,...] [--ip6 ADDR[/N],...] [--router]
              init  creates DIR/ca.key (mode 0600, keep it off the nodes) and DIR/ca.crt (copy it to every node)
              sign  creates DIR/NAME.key (mode 0600) and DIR/NAME.crt binding NAME, the overlay address and groups;
                    valid for --days (default %d, at most %d, never beyond the CA)
                    --routes  IPv4/IPv6 networks behind the node it may send from (192.168.50.0/24,fd00:50::/64)
                    --ip6     the node's IPv6 addresses (fd77::1/64 grants fd77::1); link-local needs none
                    --router  it may send IPv6 router advertisements and redirects""".formatted(DEFAULT_DAYS, MAX_DAYS);

    private static final Set<String> INIT_OPTIONS = Set.of("--dir");
    private static final Set<String> SIGN_OPTIONS = Set.of("--dir", "--name", "--ip", "--groups", "--days", "--routes", "--ip6");

    /** A bad command line: exit 2 with this one-line message. */
    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private CaCommand() {
    }

    /** @param args the arguments after {@code ca} */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            (args.length == 0 ? err : out).println(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        try {
            return switch (args[0]) {
                case "init" -> init(parse(args, INIT_OPTIONS), out);
                case "sign" -> sign(parse(args, SIGN_OPTIONS), out);
                default -> throw new UsageException("unknown subcommand \"" + args[0] + "\" (expected init or sign)");
            };
        } catch (UsageException | IllegalArgumentException e) {
            err.println("ipop-node ca: " + e.getMessage() + " (see ipop-node ca --help)");
            return USAGE;
        } catch (PkiException e) {
            err.println("ipop-node ca: " + e.getMessage());
            return FAILED;
        }
    }

    private static int init(Map<String, String> options, PrintStream out) throws UsageException, PkiException {
        Path dir = Path.of(required(options, "--dir"));
        OverlayCa.init(dir, options.containsKey("--force"));
        Path certFile = dir.resolve(OverlayCa.CA_CERTIFICATE);
        X509Certificate ca = OverlayCa.readCaCertificate(certFile);
        out.println("wrote " + dir.resolve(OverlayCa.CA_KEY) + " (CA private key, mode 0600: keep it off the nodes)");
        out.println("wrote " + certFile + " (CA certificate: copy it to every node)");
        out.println("  expires      " + ca.getNotAfter().toInstant());
        out.println("  fingerprint  sha256:" + PeerCertificates.fingerprint(ca));
        return OK;
    }

    private static int sign(Map<String, String> options, PrintStream out) throws UsageException, PkiException {
        Path dir = Path.of(required(options, "--dir"));
        String name = required(options, "--name");
        OverlayAddress address;
        try {
            address = OverlayAddress.parse(required(options, "--ip"), true);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --ip: " + e.getMessage());
        }
        List<String> groups = list(options, "--groups");
        int days = DEFAULT_DAYS;
        if (options.containsKey("--days")) {
            String d = options.get("--days");
            if (!OverlayAddress.isAsciiNumber(d, 4) || Integer.parseInt(d) < 1 || Integer.parseInt(d) > MAX_DAYS) {
                throw new UsageException("bad --days \"" + d + "\": a whole number of days, 1.." + MAX_DAYS);
            }
            days = Integer.parseInt(d);
        }
        AddressGrants grants;
        try {
            grants = AddressGrants.parse(list(options, "--routes"), list(options, "--ip6"), options.containsKey("--router"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --routes or --ip6: " + e.getMessage());
        }
        IssuedCertificate issued = OverlayCa.sign(dir, name, address, groups, grants, Duration.ofDays(days),
                options.containsKey("--force"));
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

    /** A comma-separated option's entries; none if the option is absent. */
    private static List<String> list(Map<String, String> options, String option) {
        String text = options.getOrDefault(option, "").trim();
        return text.isEmpty() ? List.of() : Arrays.stream(text.split(",", -1)).map(String::trim).toList();
    }

    /** Options after the subcommand: each of {@code allowed} takes a value, {@code --force} none; none twice. */
    private static Map<String, String> parse(String[] args, Set<String> allowed) throws UsageException {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            String value;
            if (option.equals("--force") || option.equals("--router") && allowed.contains("--ip6")) {
                value = "";
            } else if (allowed.contains(option)) {
                if (i + 1 >= args.length) {
                    throw new UsageException(option + " needs a value");
                }
                value = args[++i];
            } else {
                throw new UsageException("unknown option " + option + " for ca " + args[0]);
            }
            if (options.put(option, value) != null) {
                throw new UsageException(option + " given twice");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String option) throws UsageException {
        String value = options.get(option);
        if (value == null || value.isBlank()) {
            throw new UsageException(option + " is required");
        }
        return value;
    }
}
