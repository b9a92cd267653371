package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.discovery.ClusterTlsEngineProvider;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoverySettingsTest {
    private static final String NODE = "ipop { node.name = a, tap.address = \"10.77.0.1/24\" }\n";
    private static final String CLUSTER = "ipop.discovery.cluster = true\n"
            + "pekko.remote.artery.canonical.hostname = \"192.0.2.1\"\n"
            + "pekko.cluster.seed-nodes = [ \"pekko://ipop@192.0.2.1:17355\" ]\n";

    private static NodeSettings load(String text) {
        return NodeSettings.fromUser(ConfigFactory.parseString(text));
    }

    @Test
    void withoutClusterTheActorSystemIsLocalAndServesNoClusterRoutes() {
        NodeSettings s = load(NODE);
        assertTrue(s.discovery().staticPeers());
        assertFalse(s.discovery().cluster());
        assertEquals("local", s.config().getString("pekko.actor.provider"));
        assertEquals("", s.config().getString("pekko.management.http.routes.cluster-management"));
        assertEquals("", s.config().getString("pekko.management.health-checks.readiness-checks.cluster-membership"));
    }

    @Test
    void withClusterOnlyTheClusterSystemIsAClusterAndTheRecordNamesTheCanonicalHostWithTheUnderlayPort() {
        NodeSettings s = load(NODE + CLUSTER + "ipop.underlay.port = 5900\n");
        assertTrue(s.discovery().cluster());
        assertEquals("local", s.config().getString("pekko.actor.provider"), "the node's own system opens no port");
        Config cluster = s.discovery().clusterSystemConfig(s.config());
        assertEquals("cluster", cluster.getString("pekko.actor.provider"));
        assertFalse(cluster.getBoolean("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook"),
                "the node's system leaves and stops the cluster system on SIGTERM, not the JVM hook");
        assertEquals("io.ipop.management.ClusterRoutes", s.config().getString("pekko.management.http.routes.cluster-management"));
        assertEquals(List.of(Endpoint.parse("192.0.2.1:5900")), s.discovery().endpoints());
        assertEquals(17355, s.discovery().clusterPort());
        assertEquals("keep-majority", s.config().getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals("", s.config().getString("pekko.management.health-checks.readiness-checks.cluster-membership"),
                "/ready never waits for the cluster");
        assertEquals(Duration.ofSeconds(30), cluster.getDuration("pekko.remote.artery.bind.bind-timeout"),
                "a node starved of CPU at start binds its cluster port late rather than exiting");
    }

    @Test
    void aSpecificBindAddressOrExplicitEndpointsArePublishedInstead() {
        NodeSettings bound = load(NODE + CLUSTER + "ipop.underlay.bind = \"198.51.100.7\"\n");
        assertEquals(List.of(Endpoint.parse("198.51.100.7:5800")), bound.discovery().endpoints());
        NodeSettings listed = load(NODE + CLUSTER + "ipop.discovery.endpoints = [ \"203.0.113.5:6000\", \"192.0.2.1:5800\" ]\n");
        assertEquals(List.of(Endpoint.parse("203.0.113.5:6000"), Endpoint.parse("192.0.2.1:5800")), listed.discovery().endpoints());
    }

    @Test
    void thePeerCacheIsOffByDefaultAndABadFileOrAgeNamesTheKey(@TempDir Path dir) throws Exception {
        assertTrue(load(NODE + CLUSTER).discovery().peerCache().isEmpty());
        assertEquals(Duration.ofMinutes(10), load(NODE + CLUSTER).discovery().peerCacheMaxAge());
        Path file = dir.resolve("peers.json");
        NodeSettings on = load(NODE + CLUSTER + "ipop.discovery.peer-cache { file = \"" + file + "\", max-age = 30s }\n");
        assertEquals(file, on.discovery().peerCache().orElseThrow());
        assertEquals(Duration.ofSeconds(30), on.discovery().peerCacheMaxAge());
        assertTrue(load(NODE + "ipop.discovery.peer-cache.file = \"" + file + "\"\n").discovery().peerCache().isEmpty(),
                "no cache without cluster discovery");
        for (String bad : List.of("peers.json", dir.resolve("no-such-dir/peers.json").toString(), dir.toString())) {
            ConfigProblem e = assertThrows(ConfigProblem.class,
                    () -> load(NODE + CLUSTER + "ipop.discovery.peer-cache.file = \"" + bad + "\"\n"));
            assertEquals("ipop.discovery.peer-cache.file", e.path(), bad);
        }
        for (String bad : List.of("0s", "8d", "soon")) {
            ConfigProblem e = assertThrows(ConfigProblem.class,
                    () -> load(NODE + CLUSTER + "ipop.discovery.peer-cache.max-age = " + bad + "\n"));
            assertEquals("ipop.discovery.peer-cache.max-age", e.path(), bad);
        }
    }

    @Test
    void theCapOnClusterPeersDefaultsTo1024AndAnOutOfRangeValueNamesTheKey() {
        assertEquals(1024, load(NODE + CLUSTER).discovery().maxClusterPeers());
        assertEquals(3, load(NODE + CLUSTER + "ipop.discovery.max-cluster-peers = 3\n").discovery().maxClusterPeers());
        for (String bad : List.of("0", "70000", "many")) {
            ConfigProblem e = assertThrows(ConfigProblem.class,
                    () -> load(NODE + CLUSTER + "ipop.discovery.max-cluster-peers = " + bad + "\n"));
            assertEquals("ipop.discovery.max-cluster-peers", e.path(), bad);
        }
    }

    @Test
    void clusterOnlyNodeNeedsNoStaticPeers() {
        NodeSettings s = load(NODE + CLUSTER + "ipop.discovery.static = false\n");
        assertFalse(s.discovery().staticPeers());
        assertEquals(List.of(), s.peers());
    }

    @Test
    void aClusterNodeWithACertificateRunsMutuallyAuthenticatedTlsWithItsOwnEngine(@TempDir Path pki) throws Exception {
        NodeSettings s = load(NODE + CLUSTER + certificate(pki));
        assertTrue(s.discovery().clusterTls());
        Config cluster = s.discovery().clusterSystemConfig(s.config());
        assertEquals("tls-tcp", cluster.getString("pekko.remote.artery.transport"));
        assertEquals("io.ipop.discovery.ClusterTlsEngineProvider",
                cluster.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
        // The engine the transport will use: built from the same config, it demands the peer's certificate.
        ClusterTlsEngineProvider engines = new ClusterTlsEngineProvider(cluster, NoLogging.getInstance());
        SSLEngine server = engines.createServerSSLEngine("192.0.2.1", 17355);
        assertTrue(server.getNeedClientAuth());
        assertEquals(List.of("TLSv1.3"), List.of(server.getEnabledProtocols()));
        assertTrue(engines.createClientSSLEngine("192.0.2.2", 17355).getUseClientMode());
    }

    @Test
    void aUserKeyCannotTurnTlsOffBehindTheNodesBack(@TempDir Path pki) throws Exception {
        NodeSettings s = load(NODE + CLUSTER + certificate(pki) + "pekko.remote.artery.transport = tcp\n");
        assertEquals("tls-tcp", s.discovery().clusterSystemConfig(s.config()).getString("pekko.remote.artery.transport"));
    }

    @Test
    void clusterTlsOffOrNoCertificateKeepsPlainTcp(@TempDir Path pki) throws Exception {
        NodeSettings off = load(NODE + CLUSTER + certificate(pki) + "ipop.discovery.cluster-tls = off\n");
        assertFalse(off.discovery().clusterTls());
        assertEquals("tcp", off.config().getString("pekko.remote.artery.transport"));
        NodeSettings none = load(NODE + CLUSTER);
        assertFalse(none.discovery().clusterTls());
        assertEquals("tcp", none.config().getString("pekko.remote.artery.transport"));
        NodeSettings local = load(NODE + certificate(pki));
        assertFalse(local.discovery().clusterTls(), "no cluster, no cluster TLS");
    }

    @Test
    void aCertificateGivenToARunningClusterNodeWaitsForARestartToTurnTlsOn(@TempDir Path pki) throws Exception {
        ConfigProblem e = assertThrows(ConfigProblem.class,
                () -> ReloadPlan.between(load(NODE + CLUSTER), load(NODE + CLUSTER + certificate(pki))));
        assertTrue(e.path().startsWith("pekko.remote.artery."), e.path());
    }

    /** Node a's certificate (10.77.0.1, no groups) from the project's own CA tool; issued once per directory. */
    private static String certificate(Path pki) throws Exception {
        if (!Files.exists(pki.resolve("a.crt"))) {
            OverlayCa.init(pki, false);
            OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of(), Duration.ofDays(1), false);
        }
        return "ipop.security { ca = \"%s\", cert = \"%s\", key = \"%s\" }\n".formatted(pki.resolve("ca.crt"),
                pki.resolve("a.crt"), pki.resolve("a.key"));
    }
}
