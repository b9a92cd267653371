package io.ipop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.ipop.config.ConfigProblem;
import io.ipop.peer.PeerSettings;
import io.ipop.secure.NodeIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a reload changes, worked out from the running settings and a newly read, already validated file
 * before anything is applied. Only peers, groups, security (with the certificate files), the log level
 * and the management token and allowed hosts can change while the node runs; any other difference under {@code ipop} or
 * {@code pekko} refuses the whole reload with a {@link ConfigProblem} naming the key.
 *
 * @param changedKeys every key whose value differs, sorted; then {@code certificate} if the certificate's
 *                    file changed under the same name
 * @param added       peers in the new file only
 * @param removed     names of peers only in the running config
 * @param moved       peers whose configured endpoint changed
 */
public record ReloadPlan(List<String> changedKeys, List<PeerSettings> added, List<String> removed,
                         List<PeerSettings> moved) {

    /** Key paths (and prefixes, ending in '.') that a running node applies. */
    private static final List<String> LIVE = List.of("ipop.peers", "ipop.groups", "ipop.security.", "ipop.log.level",
            "ipop.management.token", "ipop.management.allowed-hosts", "ipop.firewall.");

    /** Everything the node runs with: with cluster discovery, the cluster system's config (transport included). */
    private static Config effective(NodeSettings s) {
        return s.discovery().cluster() ? s.discovery().clusterSystemConfig(s.config()) : s.config();
    }

    public static ReloadPlan between(NodeSettings running, NodeSettings next) {
        Map<String, Object> before = leaves(effective(running));
        Map<String, Object> after = leaves(effective(next));
        TreeSet<String> changed = new TreeSet<>();
        for (String key : union(before, after)) {
            if (!Objects.equals(before.get(key), after.get(key))) {
                changed.add(key);
            }
        }
        for (String key : changed) {
            if (LIVE.stream().noneMatch(live -> live.endsWith(".") ? key.startsWith(live) : key.equals(live))) {
                throw new ConfigProblem(key, "cannot change while the node runs (" + shown(before.get(key)) + " -> "
                        + shown(after.get(key)) + "); restart the node to apply it");
            }
        }
        List<String> keys = new ArrayList<>(changed);
        if (!certificate(running).equals(certificate(next)) && !changed.contains("ipop.security.cert")) {
            keys.add("certificate");
        }
        Map<String, PeerSettings> old = byName(running.peers());
        Map<String, PeerSettings> now = byName(next.peers());
        List<PeerSettings> added = new ArrayList<>();
        List<PeerSettings> moved = new ArrayList<>();
        for (PeerSettings p : now.values()) {
            PeerSettings was = old.get(p.name());
            if (was == null) {
                added.add(p);
            } else if (!was.endpoint().equals(p.endpoint())) {
                moved.add(p);
            }
        }
        List<String> removed = old.keySet().stream().filter(n -> !now.containsKey(n)).toList();
        return new ReloadPlan(List.copyOf(keys), List.copyOf(added), removed, List.copyOf(moved));
    }

    /** Nothing differs: the reload is a no-op. */
    public boolean isEmpty() {
        return changedKeys.isEmpty();
    }

    /** One line for the log and the API, e.g. {@code changed ipop.groups, ipop.security.cert; peers +d -c}. */
    public String summary() {
        if (isEmpty()) {
            return "no change";
        }
        StringBuilder s = new StringBuilder("changed ").append(String.join(", ", changedKeys));
        if (!added.isEmpty() || !removed.isEmpty() || !moved.isEmpty()) {
            s.append("; peers");
            added.forEach(p -> s.append(" +").append(p.name()));
            removed.forEach(n -> s.append(" -").append(n));
            moved.forEach(p -> s.append(" ~").append(p.name()));
        }
        return s.toString();
    }

    private static Map<String, Object> leaves(Config all) {
        Map<String, Object> out = new TreeMap<>();
        for (String root : List.of("ipop", "pekko")) {
            if (all.hasPath(root)) {
                for (Map.Entry<String, ConfigValue> e : all.getConfig(root).entrySet()) {
                    out.put(root + "." + e.getKey(), e.getValue().unwrapped());
                }
            }
        }
        return out;
    }

    private static TreeSet<String> union(Map<String, Object> a, Map<String, Object> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String shown(Object value) {
        return value == null ? "unset" : value.toString();
    }

    private static Optional<?> certificate(NodeSettings s) {
        return s.security().identity().map(NodeIdentity::certificate);
    }

    private static Map<String, PeerSettings> byName(List<PeerSettings> peers) {
        return peers.stream().collect(Collectors.toMap(PeerSettings::name, Function.identity(), (x, y) -> x, TreeMap::new));
    }
}
