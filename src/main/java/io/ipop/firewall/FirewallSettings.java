package io.ipop.firewall;

import com.typesafe.config.Config;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.firewall.Firewall;
import io.ipop.firewall.FirewallRule;
import io.ipop.frame.OverlayAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ipop.firewall}: the inbound group firewall (see {@link Firewall}). Rules are read and checked here,
 * each error naming its key ({@code ipop.firewall.inbound[1].port: ...}); a reload builds a new firewall.
 *
 * @param defaultAllow {@code default = allow}
 */
public record FirewallSettings(boolean defaultAllow, List<FirewallRule> rules) {
    private static final Set<String> RULE_KEYS = Set.of("proto", "port", "groups", "nodes", "action");
    /** Most rules: a linear scan per new flow stays cheap. */
    static final int MAX_RULES = 256;

    public FirewallSettings {
        rules = List.copyOf(rules);
    }

    public static FirewallSettings read(ConfigReader c) {
        String def = c.string("default");
        if (!def.equals("allow") && !def.equals("deny")) {
            throw new ConfigProblem(c.path("default"), "\"" + def + "\" is neither allow nor deny");
        }
        List<? extends Config> entries = c.objectList("inbound");
        if (entries.size() > MAX_RULES) {
            throw new ConfigProblem(c.path("inbound"), entries.size() + " rules, at most " + MAX_RULES);
        }
        List<FirewallRule> rules = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            rules.add(rule(entries.get(i), c.path("inbound") + "[" + i + "]"));
        }
        return new FirewallSettings(def.equals("allow"), rules);
    }

    private static FirewallRule rule(Config entry, String at) {
        for (String key : entry.root().keySet()) {
            if (!RULE_KEYS.contains(key)) {
                throw new ConfigProblem(at + "." + key, "unknown key (a rule has: proto, port, groups, nodes, action)");
            }
        }
        ConfigReader r = new ConfigReader(entry, at);
        FirewallRule.Proto proto = entry.hasPath("proto") ? r.lowerCaseEnum("proto", FirewallRule.Proto.class)
                : FirewallRule.Proto.ANY;
        int low = -1;
        int high = -1;
        if (entry.hasPath("port")) {
            if (proto != FirewallRule.Proto.TCP && proto != FirewallRule.Proto.UDP) {
                throw new ConfigProblem(r.path("port"), "a port needs proto = tcp or udp, not " + proto.name().toLowerCase());
            }
            String text = entry.getValue("port").unwrapped().toString().trim();
            int dash = text.indexOf('-');
            low = port(r, dash < 0 ? text : text.substring(0, dash), text);
            high = dash < 0 ? low : port(r, text.substring(dash + 1), text);
            if (high < low) {
                throw new ConfigProblem(r.path("port"), "\"" + text + "\": the range ends before it starts");
            }
        }
        List<String> groups = entry.hasPath("groups") ? names(r, "groups") : List.of();
        List<String> nodes = entry.hasPath("nodes") ? names(r, "nodes") : List.of();
        String action = entry.hasPath("action") ? r.string("action") : "allow";
        if (!action.equals("allow") && !action.equals("deny")) {
            throw new ConfigProblem(r.path("action"), "\"" + action + "\" is neither allow nor deny");
        }
        return new FirewallRule(proto, low, high, Set.copyOf(groups), Set.copyOf(nodes), action.equals("allow"));
    }

    private static int port(ConfigReader r, String text, String whole) {
        if (!OverlayAddress.isAsciiNumber(text, 5) || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new ConfigProblem(r.path("port"), "\"" + whole + "\" is not a port 1..65535 or a range such as \"8000-8100\"");
        }
        return Integer.parseInt(text);
    }

    private static List<String> names(ConfigReader r, String key) {
        List<String> names = r.stringList(key);
        for (int i = 0; i < names.size(); i++) {
            if (!ConfigReader.TOKEN.matcher(names.get(i)).matches()) {
                throw new ConfigProblem(r.path(key) + "[" + i + "]", "\"" + names.get(i) + "\" is not a valid name");
            }
        }
        if (names.isEmpty()) {
            throw new ConfigProblem(r.path(key), "is empty: leave it out to match every peer");
        }
        return names;
    }

    /** A new firewall of these rules, its hit counters at zero. */
    public Firewall build() {
        return new Firewall(defaultAllow, rules);
    }
}
