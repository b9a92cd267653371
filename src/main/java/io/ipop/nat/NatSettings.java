package io.ipop.nat;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.peer.PeerSettings;
import io.ipop.underlay.BirthdaySettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ipop.nat}: NAT traversal (docs/nat.md).
 *
 * @param stunServers      STUN servers (ipop-nodes or standard ones) this node learns its server-reflexive endpoint from
 * @param stunInterval     how often it asks them again (also keeps the NAT mapping toward them)
 * @param stunAnswerRate   Binding requests this node answers per second at most
 * @param rendezvous       static peers whose peer announcements and relays this node uses (empty: all static peers)
 * @param acceptInbound    this node links with nodes that are not in its peer list (a rendezvous)
 * @param maxInbound       at most this many such links
 * @param announceInterval how often a rendezvous tells its linked nodes about each other
 * @param directTimeout    how long two nodes probe each other directly before they ask for a relay
 * @param relay            this node relays for nodes linked with it
 * @param relayMax         at most this many relayed pairs at once
 * @param relayRetry       how long a node waits for a relay's answer before it asks again
 * @param forgetAfter      a link to a node not in the config that has been down this long is dropped, session and all
 * @param inboundRate      con_reqs from unknown nodes this node checks per second at most (burst: twice that)
 * @param birthday         birthday probing for a pair with a symmetric NAT on one side only
 */
public record NatSettings(List<Endpoint> stunServers, Duration stunInterval, int stunAnswerRate, List<PeerId> rendezvous,
                          boolean acceptInbound, int maxInbound, Duration announceInterval, Duration directTimeout,
                          boolean relay, int relayMax, Duration relayRetry, Duration forgetAfter, int inboundRate,
                          BirthdaySettings birthday) {

    /** With the reference.conf defaults of {@code relay-retry}, {@code forget-after} and {@code inbound-rate} (tests). */
    public NatSettings(List<Endpoint> stunServers, Duration stunInterval, int stunAnswerRate, List<PeerId> rendezvous,
                       boolean acceptInbound, int maxInbound, Duration announceInterval, Duration directTimeout,
                       boolean relay, int relayMax) {
        this(stunServers, stunInterval, stunAnswerRate, rendezvous, acceptInbound, maxInbound, announceInterval, directTimeout,
                relay, relayMax, Duration.ofSeconds(10), Duration.ofMinutes(5), 20, BirthdaySettings.DEFAULTS);
    }

    /** Copy with another {@link #forgetAfter}. */
    public NatSettings withForgetAfter(Duration after) {
        return new NatSettings(stunServers, stunInterval, stunAnswerRate, rendezvous, acceptInbound, maxInbound,
                announceInterval, directTimeout, relay, relayMax, relayRetry, after, inboundRate, birthday);
    }

    public static NatSettings read(ConfigReader c, List<PeerSettings> peers) {
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
        List<String> named = c.stringList("rendezvous");
        List<PeerId> rendezvous = new ArrayList<>();
        for (int i = 0; i < named.size(); i++) {
            String name = named.get(i);
            if (peers.stream().noneMatch(p -> p.name().equals(name))) {
                throw new ConfigProblem(c.path("rendezvous") + "[" + i + "]", "\"" + name + "\" is not a peer in ipop.peers");
            }
            rendezvous.add(PeerId.of(name));
        }
        return new NatSettings(List.copyOf(servers), c.positiveDuration("stun-interval"),
                c.intIn("stun-answer-rate", 1, 1_000_000), List.copyOf(rendezvous), c.bool("accept-inbound"),
                c.intIn("max-inbound", 1, 100_000), c.positiveDuration("announce-interval"),
                c.positiveDuration("direct-timeout"), c.bool("relay"), c.intIn("relay-max", 1, 10_000),
                c.durationIn("relay-retry", Duration.ofSeconds(1), Duration.ofMinutes(10)),
                c.durationIn("forget-after", Duration.ofSeconds(10), Duration.ofDays(7)),
                c.intIn("inbound-rate", 1, 10_000), BirthdaySettings.read(c.at("birthday")));
    }

    /** True if announcements and relays from {@code peer} (a static peer) are used. */
    public boolean isRendezvous(PeerId peer, List<PeerId> staticPeers) {
        return rendezvous.isEmpty() ? staticPeers.contains(peer) : rendezvous.contains(peer);
    }
}
