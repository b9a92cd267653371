package io.ipop.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.ipop.config.ConfigProblem;
import io.ipop.node.NodeSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ipop-node init}: writes a commented config for one node from flags ({@link ConfigTemplate}), to
 * standard output or to {@code --out FILE} (never over an existing file without {@code --force}).
 *
 * <p>What it writes is validated exactly as {@code --check-config} validates ({@link NodeSettings#fromUser})
 * before anything is written; a value the validation refuses is reported as the flag that gave it (exit 2),
 * e.g. {@code ipop-node init: bad --peer: ipop.peers[0].endpoint: ...}. Exit 1 if FILE cannot be written.
 */
@Command(name = "init", mixinStandardHelpOptions = true, synopsisHeading = "usage: ", sortOptions = false,
        description = {"Writes a commented config for one node (check it with --check-config, then run it).",
            "With --pki, the node's certificate from `ipop-node ca sign` (DIR/ca.crt, DIR/NAME.crt, DIR/NAME.key) must exist."},
        footerHeading = "%nExample:%n",
        footer = {"  ipop-node init --name a --ip 10.77.0.1/24 --peer b=198.51.100.2:5800 --peer c=198.51.100.3:5800 \\",
            "                 --groups blue --pki /etc/ipop-node/pki --out /etc/ipop-node/a.conf"})
public final class InitCommand implements Callable<Integer> {
    /** Where a key of the generated file came from: a refusal of {@code ipop.X} names this flag. */
    private static final Map<String, String> FLAG_OF_KEY = Map.of(
            "ipop.node.name", "--name", "ipop.tap.address", "--ip", "ipop.tap.name", "--tap", "ipop.peers", "--peer",
            "ipop.groups", "--groups", "ipop.security", "--pki", "ipop.underlay", "--port");

    @Spec
    private CommandSpec spec;
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "this node's name (ipop.node.name)")
    private String name;
    @Option(names = "--ip", required = true, paramLabel = "A.B.C.D/N", description = "its overlay address with prefix (ipop.tap.address)")
    private String address;
    @Option(names = "--peer", paramLabel = "NAME=HOST:PORT", converter = PeerConverter.class,
            description = "another node and its underlay address; repeat for each peer")
    private List<ConfigTemplate.Peer> peers = new ArrayList<>();
    @Option(names = "--groups", paramLabel = "G1,G2", split = ",", description = "its groups (ipop.groups)")
    private List<String> groups = new ArrayList<>();
    @Option(names = "--pki", paramLabel = "DIR", description = "the directory of ca.crt, NAME.crt and NAME.key (ipop.security)")
    private Path pki;
    @Option(names = "--port", paramLabel = "PORT", description = "the UDP port it listens on (default ${DEFAULT-VALUE})")
    private int port = 5800;
    @Option(names = "--tap", paramLabel = "IFNAME", description = "the TAP device's name (default ${DEFAULT-VALUE})")
    private String tap = "ipop0";
    @Option(names = "--out", paramLabel = "FILE", description = "write here instead of standard output")
    private Path out;
    @Option(names = "--force", description = "replace FILE if it exists")
    private boolean force;

    private InitCommand() {
    }

    /** {@code --peer NAME=HOST:PORT}; the endpoint itself is checked with the whole file. */
    static final class PeerConverter implements ITypeConverter<ConfigTemplate.Peer> {
        @Override
        public ConfigTemplate.Peer convert(String value) {
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new TypeConversionException("expected NAME=HOST:PORT, e.g. b=198.51.100.2:5800");
            }
            return new ConfigTemplate.Peer(value.substring(0, eq), value.substring(eq + 1));
        }
    }

    @Override
    public Integer call() {
        Path absolutePki = pki == null ? null : pki.toAbsolutePath().normalize();
        String text = new ConfigTemplate(name, address, tap, port, peers, groups, absolutePki).render();
        check(text);
        if (out == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return 0;
        }
        try {
            if (force) {
                Files.writeString(out, text, StandardCharsets.UTF_8);
            } else {
                Files.writeString(out, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("ipop-node init: " + out + " exists; use --force to replace it");
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("ipop-node init: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        spec.commandLine().getErr().println("wrote " + out + "; check it with: ipop-node --config " + out + " --check-config");
        return 0;
    }

    /** The same validation as {@code --check-config}; a refusal names the flag behind the key. */
    private void check(String text) {
        try {
            NodeSettings.fromUser(ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)));
        } catch (ConfigProblem e) {
            throw new ParameterException(spec.commandLine(), "bad " + flagOf(e.path()) + ": " + e.getMessage().replace('\n', ' '));
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), "the generated config does not parse: " + e.getMessage().replace('\n', ' '));
        }
    }

    static String flagOf(String key) {
        for (Map.Entry<String, String> e : FLAG_OF_KEY.entrySet()) {
            if (key.equals(e.getKey()) || key.startsWith(e.getKey() + ".") || key.startsWith(e.getKey() + "[")) {
                return e.getValue();
            }
        }
        return "value";
    }
}
