package io.ipop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.dataplane.DataplaneSettings;
import io.ipop.discovery.DiscoverySettings;
import io.ipop.firewall.FirewallSettings;
import io.ipop.nat.NatSettings;
import io.ipop.peer.LinkSettings;
import io.ipop.peer.PeerSettings;
import io.ipop.peer.SecuritySettings;
import io.ipop.tap.TapSettings;
import io.ipop.topology.TopologySettings;
import io.ipop.underlay.UnderlaySettings;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typed, validated view of a node's whole configuration. Built before anything touches the
 * system; every problem is a {@link ConfigProblem} naming the key path.
 *
 * @param config the full resolved config (user file over defaults, with the Pekko settings that follow
 *               from {@code ipop.discovery}), handed only to the ActorSystem
 */
public record NodeSettings(
        String name,
        TapSettings tap,
        UnderlaySettings underlay,
        List<PeerSettings> peers,
        List<String> groups,
        SecuritySettings security,
        DataplaneSettings dataplane,
        LinkSettings link,
        ManagementSettings management,
        DiscoverySettings discovery,
        NatSettings nat,
        FirewallSettings firewall,
        TopologySettings topology,
        String logLevel,
        Config config) {

    /** Keys without a default: documented in reference.conf as comments, required in the user's file. */
    private static final Set<String> REQUIRED = Set.of("ipop.node.name", "ipop.tap.address");
    /** Pekko settings of ours that must win over the libraries' reference.conf files. */
    private static final String PEKKO_DEFAULTS = "ipop-pekko.conf";
    private static final Set<String> LOG_LEVELS = Set.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE");

    /** Loads {@code file} over the defaults from every reference.conf on the class path. */
    public static NodeSettings load(File file) {
        if (!file.isFile()) {
            throw new ConfigProblem("--config", "no such file: " + file);
        }
        Config user;
        try {
            user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new ConfigProblem(file.getPath(), e.getMessage().replace('\n', ' '));
        }
        return fromUser(user);
    }

    /** Validates a user config (without defaults) over the defaults. */
    public static NodeSettings fromUser(Config user) {
        Config all;
        try {
            all = ConfigFactory.load(user.withFallback(ConfigFactory.parseResources(PEKKO_DEFAULTS)));
        } catch (ConfigException e) {
            throw new ConfigProblem("config", e.getMessage().replace('\n', ' '));
        }
        rejectUnknownKeys(user, ConfigFactory.defaultReference());
        return parse(all);
    }

    /** Parses an already-resolved config holding every key. */
    static NodeSettings parse(Config all) {
        ConfigReader ipop = new ConfigReader(all, "").at("ipop");
        String name = ipop.at("node").token("name");
        TapSettings tap = TapSettings.read(ipop.at("tap"), name);
        List<String> groups = ipop.stringList("groups");
        for (int i = 0; i < groups.size(); i++) {
            if (!ConfigReader.TOKEN.matcher(groups.get(i)).matches()) {
                throw new ConfigProblem(ipop.path("groups") + "[" + i + "]", "\"" + groups.get(i) + "\" is not a valid group name");
            }
        }
        String level = ipop.at("log").string("level").toUpperCase();
        if (!LOG_LEVELS.contains(level)) {
            throw new ConfigProblem("ipop.log.level", "unknown level \"" + level + "\" (expected one of " + new TreeSet<>(LOG_LEVELS) + ")");
        }
        List<String> sortedGroups = List.copyOf(new TreeSet<>(groups));
        UnderlaySettings underlay = UnderlaySettings.read(ipop.at("underlay"));
        List<PeerSettings> peers = PeerSettings.readAll(ipop, name);
        SecuritySettings security = SecuritySettings.read(ipop.at("security"));
        security.checkIdentityMatches(name, tap.address(), tap.mac(), sortedGroups);
        DiscoverySettings discovery = DiscoverySettings.read(ipop.at("discovery"), all, underlay, peers, ipop.path("peers"),
                security.identity().isPresent());
        Config derived = discovery.pekkoOverrides().withFallback(all);
        return new NodeSettings(
                name,
                tap,
                underlay,
                peers,
                sortedGroups,
                security,
                DataplaneSettings.read(ipop.at("dataplane")),
                LinkSettings.read(ipop.at("link")),
                ManagementSettings.read(new ConfigReader(all, "").at("pekko").at("management").at("http"), ipop.at("management"),
                        security.identity()),
                discovery,
                NatSettings.read(ipop.at("nat"), peers),
                FirewallSettings.read(ipop.at("firewall")),
                TopologySettings.read(ipop.at("topology")),
                level,
                derived);
    }

    /** A key under {@code ipop} that no reference.conf defines is a typo the operator must hear about. */
    private static void rejectUnknownKeys(Config user, Config reference) {
        if (!user.hasPathOrNull("ipop")) {
            return;
        }
        ConfigValue ipop = user.root().get("ipop");
        if (ipop.valueType() != ConfigValueType.OBJECT) {
            throw new ConfigProblem("ipop", "must be an object { ... }, was " + ipop.valueType().name().toLowerCase());
        }
        rejectUnknownKeys((ConfigObject) ipop, "ipop", reference);
    }

    /** A substitution such as {@code ${?IPOP_MANAGEMENT_TOKEN}} is not resolved yet: it is a value, not an object. */
    private static boolean isObject(ConfigValue value) {
        try {
            return value.valueType() == ConfigValueType.OBJECT;
        } catch (ConfigException.NotResolved e) {
            return false;
        }
    }

    /** Walks the user's objects (empty ones too); lists such as peers are checked when parsed. */
    private static void rejectUnknownKeys(ConfigObject object, String path, Config reference) {
        for (String key : new TreeSet<>(object.keySet())) {
            String child = path + "." + ConfigUtil.joinPath(key);
            if (!reference.hasPathOrNull(child) && !REQUIRED.contains(child)) {
                throw new ConfigProblem(child, "unknown key");
            }
            ConfigValue value = object.get(key);
            if (isObject(value) && reference.hasPath(child)
                    && reference.getValue(child).valueType() == ConfigValueType.OBJECT) {
                rejectUnknownKeys((ConfigObject) value, child, reference);
            }
        }
    }
}
