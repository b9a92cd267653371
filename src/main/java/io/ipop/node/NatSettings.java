package io.ipop.node;

import io.ipop.underlay.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ipop.nat}: NAT traversal (docs/nat.md).
 *
 * @param stunServers      STUN servers (ipop-nodes or standard ones) this node learns its server-reflexive endpoint from
 * @param stunInterval     how often it asks them again (also keeps the NAT mapping toward them)
 * @param stunAnswerRate   Binding requests this node answers per second at most
 */
public record NatSettings(List<Endpoint> stunServers, Duration stunInterval, int stunAnswerRate) {

    static NatSettings read(ConfigReader c) {
        List<String> raw = c.stringList("stun-servers");
        List<Endpoint> servers = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = c.path("stun-servers") + "[" + i + "]";
            Endpoint e;
            try {
                e = Endpoint.parse(raw.get(i));
            } catch (IllegalArgumentException ex) {
                throw new ConfigProblem(at, ex.getMessage());
            }
            if (servers.contains(e)) {
                throw new ConfigProblem(at, "duplicate STUN server " + e);
            }
            servers.add(e);
        }
        return new NatSettings(List.copyOf(servers), c.positiveDuration("stun-interval"),
                c.intIn("stun-answer-rate", 1, 1_000_000));
    }
}
