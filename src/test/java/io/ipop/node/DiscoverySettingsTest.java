package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.underlay.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void withClusterTheProviderIsClusterAndTheRecordNamesTheCanonicalHostWithTheUnderlayPort() {
        NodeSettings s = load(NODE + CLUSTER + "ipop.underlay.port = 5900\n");
        assertTrue(s.discovery().cluster());
        assertEquals("cluster", s.config().getString("pekko.actor.provider"));
        assertFalse(s.config().getString("pekko.management.http.routes.cluster-management").isEmpty());
        assertEquals(List.of(Endpoint.parse("192.0.2.1:5900")), s.discovery().endpoints());
        assertEquals(17355, s.discovery().clusterPort());
        assertEquals("keep-majority", s.config().getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals("", s.config().getString("pekko.management.health-checks.readiness-checks.cluster-membership"),
                "/ready never waits for the cluster");
    }

    @Test
    void aSpecificBindAddressOrExplicitEndpointsArePublishedInstead() {
        NodeSettings bound = load(NODE + CLUSTER + "ipop.underlay.bind = \"198.51.100.7\"\n");
        assertEquals(List.of(Endpoint.parse("198.51.100.7:5800")), bound.discovery().endpoints());
        NodeSettings listed = load(NODE + CLUSTER + "ipop.discovery.endpoints = [ \"203.0.113.5:6000\", \"192.0.2.1:5800\" ]\n");
        assertEquals(List.of(Endpoint.parse("203.0.113.5:6000"), Endpoint.parse("192.0.2.1:5800")), listed.discovery().endpoints());
    }

    @Test
    void clusterOnlyNodeNeedsNoStaticPeers() {
        NodeSettings s = load(NODE + CLUSTER + "ipop.discovery.static = false\n");
        assertFalse(s.discovery().staticPeers());
        assertEquals(List.of(), s.peers());
    }
}
