package io.ipop.management;

import io.ipop.counters.DataDrop;
import io.ipop.counters.Drop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.discovery.ClusterMembership;
import io.ipop.nat.RelayServer;
import io.ipop.nat.SignalCounters;
import io.ipop.node.NodeRuntime;
import io.ipop.node.ReloadResult;
import io.ipop.peer.LinkSnapshot;
import io.ipop.peer.PeerInfo;
import io.ipop.peer.PeerLink;
import io.ipop.route.LinkCounters;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PkiException;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON documents of the {@code /overlay} routes (field names become snake_case). */
final class Views {
    private Views() {
    }

    record NodeView(String name, String overlayIp, String overlayAddress, String mac, List<String> groups, String tap,
                    int mtu, String underlay, String instance, String started, long uptimeSeconds, int peers,
                    int linksUp, String securityMode, String certificate, String certificateExpires,
                    String reflexiveEndpoint, NatView nat, ManagementView management,
                    ClusterRecordsView clusterRecords, ClusterMemberView cluster) {
    }

    /**
     * This node in the cluster (absent without cluster discovery): its member address with incarnation uid and
     * status ({@code null} between a downing and the next incarnation), and how many new members it started
     * after being downed.
     */
    record ClusterMemberView(String member, String status, long rejoins) {
    }

    /** Reloads by outcome, and the management API's refusals by {@link ApiRefusal} counter. */
    record ManagementView(NodeRuntime.Reloads reloads, Map<String, Long> refused) {
    }

    /**
     * Cluster discovery's peer records (absent without it): peers followed, valid records waiting for a TLS
     * connection to their member, records refused by reason (docs/discovery.md, "Peer records").
     */
    record ClusterRecordsView(int followed, int pending, Map<String, Long> refused, Map<String, Long> peerCache) {
    }

    /**
     * What the configured STUN servers told this node, how many Binding requests it answered, its
     * inbound links, the pairs it relays (and the relay requests it refused, by reason), and the link setup
     * that went through rendezvous nodes; {@code symmetric}: two STUN servers saw this node at different ports (it
     * is the hard side of birthday probing), {@code birthday}: what that probing did (absent while off).
     */
    record NatView(List<StunServerView> stunServers, long stunAnswered, int inboundLinks,
                   List<RelayServer.PairView> relayed, Map<String, Long> relayRefused, SignalCounters.View signaling,
                   boolean symmetric, io.ipop.underlay.BirthdaySockets.Counts birthday) {
    }

    record StunServerView(String server, String mapped, String lastAnswer, long requests, long answers) {
    }

    record LinkView(String peer, String discoveredBy, String topology, String state, String since, String reason, String endpoint,
                    String overlayIp, String mac, List<String> groups, Boolean secure, String secureReason,
                    String cipherSuite, String peerCertificate, Double rttMs, long packetsIn, long bytesIn,
                    long controlIn, long packetsOut, long bytesOut, long drops, Map<String, Long> dropsByReason, String path,
                    PairView pair, List<String> candidates, long rekeys, Double keyAgeS, long forwardedPackets,
                    long forwardedBytes) {
    }

    /** The candidate pair a link uses: this node's side (its reflexive endpoint if known) and the peer's endpoint. */
    record PairView(String local, String remote) {
    }

    record DataplaneView(int inboundBuffer, int outboundBuffer, long inboundFill, long outboundFill,
                         long datagramsIn, long framesFromTap, long framesToTap, long tapWrites,
                         Map<String, Map<String, Long>> drops, long dropsTotal) {
    }

    /** The answer to {@code POST /overlay/reload}. */
    record ReloadView(boolean applied, String message) {
    }

    static ReloadView reload(ReloadResult r) {
        return new ReloadView(r.applied(), r.message());
    }

    static NodeView node(NodeRuntime.State s, ManagementView management) {
        var n = s.node();
        List<PeerLink> links = s.links().all();
        int up = (int) links.stream().filter(l -> l.snapshot().state() == io.ipop.peer.LinkState.UP).count();
        var security = s.settings().security();
        var cert = security.identity().map(NodeIdentity::certificate);
        return new NodeView(n.name(), n.address().ip(), n.address().toString(), n.mac().toString(), n.groups(),
                s.settings().tap().name(), s.settings().tap().mtu(), n.underlay().toString(), n.instance(), n.started().toString(),
                Duration.between(n.started(), Instant.now()).toSeconds(), links.size(), up,
                security.mode().name().toLowerCase().replace('_', '-'),
                cert.map(Views::fingerprint).orElse(null),
                cert.map(c -> c.getNotAfter().toInstant().toString()).orElse(null),
                s.nat().stun().client().reflexive().map(Object::toString).orElse(null), nat(s), management,
                s.clusterRecords().map(c -> new ClusterRecordsView(c.followed(), c.pending(), c.refusedByReason(),
                                c.peerCacheCounters()))
                        .orElse(null),
                s.cluster().map(Views::clusterMember).orElse(null));
    }

    private static ClusterMemberView clusterMember(ClusterMembership m) {
        var self = m.self();
        return new ClusterMemberView(self.map(s -> s.address() + "#" + s.uniqueAddress().longUid()).orElse(null),
                self.map(s -> s.status().toString()).orElse(null), m.rejoins());
    }

    private static NatView nat(NodeRuntime.State s) {
        List<StunServerView> servers = s.nat().stun().client().views().stream()
                .map(v -> new StunServerView(v.server().toString(), v.mapped() == null ? null : v.mapped().toString(),
                        v.lastAnswer() == null ? null : v.lastAnswer().toString(), v.requests(), v.answers()))
                .toList();
        return new NatView(servers, s.nat().stun().answered(), s.nat().inbound().inboundLinks(),
                s.nat().relay().map(RelayServer::views).orElse(null), s.nat().relay().map(RelayServer::refusals).orElse(null),
                s.nat().signaling().view(), s.nat().stun().client().symmetric(), s.nat().birthday().get().orElse(null));
    }

    static List<LinkView> links(NodeRuntime.State s) {
        return s.links().all().stream().map(l -> link(l, s)).toList();
    }

    static LinkView link(PeerLink l, NodeRuntime.State s) {
        LinkSnapshot snap = l.snapshot();
        PeerInfo remote = snap.remote();
        LinkCounters c = l.counters();
        return new LinkView(l.peer().name(), l.discoveredBy().label(), l.topology(), snap.state().label(), snap.since().toString(), snap.reason(),
                snap.endpoint().toString(),
                remote == null ? null : remote.address().ip(),
                remote == null ? null : remote.mac().toString(),
                remote == null ? List.of() : remote.groups(),
                snap.security() == null ? null : snap.security().secure(),
                snap.security() == null ? null : snap.security().reason(),
                snap.cipherSuite(), snap.peerCertificate(),
                snap.rttNanos() < 0 ? null : snap.rttNanos() / 1e6,
                c.packetsIn(), c.bytesIn(), c.controlIn(), c.packetsOut(), c.bytesOut(), c.drops(), dropsByReason(c), path(snap, s), pair(snap, s),
                l.candidates().stream().map(Object::toString).toList(), l.rekeys(),
                l.keyAge() == null ? null : l.keyAge().toMillis() / 1000.0, c.forwarded(), c.forwardedBytes());
    }

    /** The link's drops that happened, by reason ({@code spoofed_mac}, {@code firewall}, ...). */
    static Map<String, Long> dropsByReason(LinkCounters c) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DataDrop d : DataDrop.values()) {
            long n = c.drops(d.ordinal());
            if (n > 0) {
                out.put(d.counter(), n);
            }
        }
        return out;
    }

    /**
     * {@code direct}, {@code relay(via=NAME)} or {@code overlay(via=X,Y)} (the nodes the peer's link setup crossed to
     * reach this node, in that order; {@code overlay(via=)} before any was traced); null while the link is not up.
     */
    private static String path(LinkSnapshot snap, NodeRuntime.State s) {
        if (snap.state() != io.ipop.peer.LinkState.UP) {
            return null;
        }
        if (OverlayPaths.isOverlay(snap.endpoint())) {
            return "overlay(via=" + String.join(",", s.overlay().via(snap.endpoint()).stream().map(PeerId::name).toList()) + ")";
        }
        PeerId via = s.nat().paths().via(snap.endpoint());
        return via == null ? "direct" : "relay(via=" + via + ")";
    }

    private static PairView pair(LinkSnapshot snap, NodeRuntime.State s) {
        if (snap.state() != io.ipop.peer.LinkState.UP) {
            return null;
        }
        String local = s.nat().stun().client().reflexive().map(Object::toString)
                .orElseGet(() -> hostSide(s.node().underlay(), snap.endpoint()).toString());
        return new PairView(local, snap.endpoint().toString());
    }

    /**
     * This node's host endpoint toward {@code peer}: the bound address, or for a wildcard bind the
     * source address the kernel's routing picks for the peer (a connect of an unbound UDP socket looks
     * up the route and sends nothing).
     */
    static Endpoint hostSide(Endpoint bound, Endpoint peer) {
        InetSocketAddress local = bound.address();
        if (!local.getAddress().isAnyLocalAddress()) {
            return bound;
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer.address());
            InetAddress source = probe.getLocalAddress();
            return source.isAnyLocalAddress() ? bound : Endpoint.of(source, local.getPort());
        } catch (IOException | IllegalArgumentException e) {
            return bound;                               // no route: the bound wildcard is all we know
        }
    }

    private static String fingerprint(X509Certificate c) {
        try {
            return PeerCertificates.fingerprint(c);
        } catch (PkiException e) {
            return null;
        }
    }

    static DataplaneView dataplane(NodeRuntime.State s) {
        DataplaneCounters c = s.counters();
        Map<String, Map<String, Long>> drops = new LinkedHashMap<>();
        long total = 0;
        for (Drop d : Drop.all()) {
            long n = c.drops(d);
            total += n;
            drops.computeIfAbsent(d.stage().label(), k -> new LinkedHashMap<>()).put(d.counter(), n);
        }
        var dp = s.settings().dataplane();
        return new DataplaneView(dp.inboundBuffer(), dp.outboundBuffer(), c.inboundFill(), c.outboundFill(),
                c.datagramsIn(), c.framesFromTap(), c.framesToTap(), c.tapWrites(), drops, total);
    }
}
