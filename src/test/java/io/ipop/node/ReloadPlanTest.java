package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.peer.PeerSettings;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What a reload may change, worked out from two validated configs. */
class ReloadPlanTest {
    private static final String BASE = """
            ipop {
              node.name = "a"
              tap { address = "10.77.0.1/24" }
              peers = [ { name = "b", endpoint = "192.0.2.2:5800" }, { name = "c", endpoint = "192.0.2.3:5800" } ]
              groups = [ "blue" ]
            }
            """;

    private static NodeSettings settings(String extra) {
        return NodeSettings.fromUser(ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(BASE)));
    }

    @Test
    void theSameFileIsNoChange() {
        ReloadPlan plan = ReloadPlan.between(settings(""), settings(""));
        assertTrue(plan.isEmpty());
        assertEquals("no change", plan.summary());
    }

    @Test
    void peersAddedRemovedAndMovedAreListed() {
        ReloadPlan plan = ReloadPlan.between(settings(""), settings("""
                ipop.peers = [ { name = "b", endpoint = "192.0.2.22:5800" }, { name = "d", endpoint = "192.0.2.4:5800" } ]
                """));
        assertEquals(List.of("d"), plan.added().stream().map(PeerSettings::name).toList());
        assertEquals(List.of("c"), plan.removed());
        assertEquals(List.of("b"), plan.moved().stream().map(PeerSettings::name).toList());
        assertEquals(List.of("ipop.peers"), plan.changedKeys());
        assertEquals("changed ipop.peers; peers +d -c ~b", plan.summary());
    }

    @Test
    void groupsSecurityLogLevelAndTokenChangeLive() {
        ReloadPlan plan = ReloadPlan.between(settings(""), settings("""
                ipop { groups = [ "blue", "green" ], log.level = DEBUG, management.token = "0123456789abcdef0123"
                       management.allowed-hosts = [ "node-a.example" ], security.hello-max-age = 30s }
                """));
        assertEquals(List.of("ipop.groups", "ipop.log.level", "ipop.management.allowed-hosts", "ipop.management.token",
                        "ipop.security.hello-max-age"), plan.changedKeys());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ipop.tap.mtu = 1300                          | ipop.tap.mtu",
        "ipop.tap.name = ipop1                        | ipop.tap.name",
        "ipop.tap.tx-queue-length = 1000              | ipop.tap.tx-queue-length",
        "ipop.underlay.port = 5900                    | ipop.underlay.port",
        "ipop.dataplane.inbound-buffer = 64           | ipop.dataplane.inbound-buffer",
        "ipop.link.dead-after = 9s                    | ipop.link.dead-after",
        "pekko.management.http.port = 9000            | pekko.management.http.port",
        "pekko.management.http.hostname = \"127.0.0.2\" | pekko.management.http.hostname",
        "ipop.management.tls.mode = off               | ipop.management.tls.mode",
    })
    void whatTheRunningNodeCannotApplyRefusesTheReloadNamingTheKey(String change, String key) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> ReloadPlan.between(settings(""), settings(change)));
        assertEquals(key, p.path());
        assertTrue(p.getMessage().contains("cannot change while the node runs"), p.getMessage());
    }

    @Test
    void aNewNodeNameIsRefused() {
        String renamed = BASE.replace("node.name = \"a\"", "node.name = \"z\"");
        NodeSettings next = NodeSettings.fromUser(ConfigFactory.parseString(renamed));
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> ReloadPlan.between(settings(""), next));
        assertEquals("ipop.node.name", p.path());
    }
}
