package io.ipop.peer;

import com.typesafe.config.Config;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One entry of {@code ipop.peers}: a statically configured peer. */
public record PeerSettings(String name, Endpoint endpoint) {

    /** The peer's name as an identity ({@code name} is held to a stricter rule than {@link PeerId}'s, so this never fails). */
    public PeerId id() {
        return PeerId.of(name);
    }
    private static final Set<String> KEYS = Set.of("name", "endpoint");

    public static List<PeerSettings> readAll(ConfigReader ipop, String ownName) {
        List<? extends Config> entries = ipop.objectList("peers");
        List<PeerSettings> peers = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<Endpoint, Integer> endpoints = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = ipop.path("peers") + "[" + i + "]";
            Config entry = entries.get(i);
            for (String key : entry.root().keySet()) {
                if (!KEYS.contains(key)) {
                    throw new ConfigProblem(at + "." + key, "unknown key (a peer has: name, endpoint)");
                }
            }
            ConfigReader c = new ConfigReader(entry, at);
            String name = c.token("name");
            if (name.equals(ownName)) {
                throw new ConfigProblem(c.path("name"), "\"" + name + "\" is this node's own name");
            }
            Integer seen = names.putIfAbsent(name, i);
            if (seen != null) {
                throw new ConfigProblem(c.path("name"), "duplicate peer \"" + name + "\" (also at peers[" + seen + "])");
            }
            Endpoint endpoint = c.parsed("endpoint", Endpoint::parse);
            Integer sameEndpoint = endpoints.putIfAbsent(endpoint, i);
            if (sameEndpoint != null) {
                throw new ConfigProblem(c.path("endpoint"), "duplicate endpoint " + endpoint + " (also at peers[" + sameEndpoint + "])");
            }
            peers.add(new PeerSettings(name, endpoint));
        }
        return List.copyOf(peers);
    }
}
