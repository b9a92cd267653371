package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.dataplane.DataplaneSettings;
import io.ipop.firewall.FirewallSettings;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.LinkSettings;
import io.ipop.peer.PeerSettings;
import io.ipop.peer.SecuritySettings;
import io.ipop.tap.TapSettings;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.UnderlaySettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeSettingsTest {

    /** The configuration users are promised will work (DESIGN.md section 3). */
    static final String CONTRACT = """
            ipop {
              node.name = "a"
              tap { name = "ipop0", address = "10.77.0.1/24", mtu = 1400 }
              underlay { bind = "0.0.0.0", port = 5800 }
              peers = [ { name = "b", endpoint = "192.0.2.2:5800" } ]
              groups = [ "blue" ]
              dataplane { inbound-buffer = 256, outbound-buffer = 256 }
              link { keepalive-interval = 1s, dead-after = 5s, retry-min = 250ms, retry-max = 10s }
            }
            pekko.management.http { hostname = "127.0.0.1", port = 8558 }
            """;

    private static NodeSettings parse(Config user) {
        return NodeSettings.fromUser(user);
    }

    private static Config contract() {
        return ConfigFactory.parseString(CONTRACT);
    }

    private static InetAddress ip(int a, int b, int c, int d) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    @Test
    void contractConfigParsesToTypedValues() throws Exception {
        NodeSettings s = parse(contract());

        assertEquals("a", s.name());
        assertEquals("ipop0", s.tap().name());
        assertEquals(new OverlayAddress(0x0A4D_0001, 24), s.tap().address());
        assertEquals(1400, s.tap().mtu());
        assertEquals(4096, s.tap().txQueueLength(), "reference.conf's TAP queue: about 100 ms at 400 Mbit/s");
        assertEquals(new InetSocketAddress(ip(0, 0, 0, 0), 5800), s.underlay().bind());
        assertEquals(List.of(new PeerSettings("b", Endpoint.of(ip(192, 0, 2, 2), 5800))), s.peers());
        assertEquals(List.of("blue"), s.groups());
        assertEquals(256, s.dataplane().inboundBuffer());
        assertEquals(256, s.dataplane().outboundBuffer());
        assertEquals(new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(10), 32), s.link());
        assertEquals(new ManagementSettings("127.0.0.1", 8558), s.management());
    }

    @Test
    void keysTheContractLeavesOutTakeTheDocumentedDefaults() {
        NodeSettings s = parse(contract());

        assertEquals(SecuritySettings.Mode.NEVER, s.security().mode());
        assertEquals(4 * 1024 * 1024, s.underlay().socketBuffer());
        assertEquals(new FirewallSettings(true, List.of()), s.firewall());
        assertEquals("INFO", s.logLevel());
    }

    @Test
    void userValuesOverrideEveryDefault() throws Exception {
        NodeSettings s = parse(ConfigFactory.parseString("""
                ipop {
                  node.name = "n-1.x"
                  tap { name = "ovl7", address = "10.1.2.3/16", mtu = 9000, mac = "02:aa:bb:cc:dd:ee", tx-queue-length = 2000 }
                  underlay { bind = "127.0.0.1", port = 6000, socket-buffer = 1 MiB }
                  peers = [ { name = "c", endpoint = "192.0.2.3:6001" },
                            { name = "b", endpoint = "[2001:db8::2]:6002" } ]
                  groups = [ "red", "blue", "green", "blue" ]
                  security.mode = never
                  dataplane { inbound-buffer = 1, outbound-buffer = 65536, fair-queue-bytes = 64KiB }
                  link { keepalive-interval = 2s, dead-after = 4s, retry-min = 1s, retry-max = 1s, max-handshakes = 100 }
                  log.level = WARN
                }
                pekko.management.http { hostname = "127.0.0.2", port = 9000 }
                """));

        assertEquals("n-1.x", s.name());
        assertEquals(new TapSettings("ovl7", new OverlayAddress(0x0A01_0203, 16), 9000,
                MacAddress.parse("02:aa:bb:cc:dd:ee"), true, 2000), s.tap());
        assertEquals(new UnderlaySettings(new InetSocketAddress(ip(127, 0, 0, 1), 6000), 1024 * 1024, true), s.underlay());
        assertEquals(List.of(
                new PeerSettings("c", Endpoint.of(ip(192, 0, 2, 3), 6001)),
                new PeerSettings("b", Endpoint.of(InetAddress.getByName("2001:db8:0:0:0:0:0:2"), 6002))), s.peers());
        assertEquals(List.of("blue", "green", "red"), s.groups(), "groups sorted, each once");
        assertEquals(new DataplaneSettings(1, 65536, 32, DataplaneSettings.DEFAULT_WARM_UP_FRAMES, 65536), s.dataplane());
        assertEquals(new LinkSettings(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 100), s.link(), "dead-after of exactly twice the keepalive is allowed");
        assertEquals("WARN", s.logLevel());
        assertEquals(new ManagementSettings("127.0.0.2", 9000), s.management());
    }

    @Test
    void settingsCarryTheFullConfigForTheActorSystem() {
        Config all = parse(contract()).config();

        assertEquals("a", all.getString("ipop.node.name"));
        assertTrue(all.hasPath("pekko.version"), "library reference.conf files are merged in");
        assertEquals("io.ipop.management.OverlayRoutes", all.getString("pekko.management.http.routes.ipop-overlay"));
    }

    @Test
    void autoMacIsStablePerNameLocallyAdministeredAndUnicast() {
        MacAddress a1 = parse(named("a")).tap().mac();
        MacAddress a2 = parse(named("a")).tap().mac();
        MacAddress b = parse(named("b")).tap().mac();
        assertEquals(a1, a2, "a restarted node keeps its MAC");
        assertNotEquals(a1, b);
        long firstOctet = a1.bits() >>> 40;
        assertEquals(0x02, firstOctet & 0x03, "locally administered (bit 1), unicast (bit 0 clear)");
    }

    private static Config named(String name) {
        return ConfigFactory.parseString("ipop { node.name = \"" + name + "\", tap.address = \"10.77.0.1/24\" }");
    }

    static Stream<Arguments> brokenConfigs() {
        return Stream.of(
                broken("ipop.node.name", remove("ipop.node.name")),
                broken("ipop.discovery.cluster-tls", set("ipop.discovery.cluster-tls = on")),
                broken("ipop.node.name", set("ipop.node.name = \"\"")),
                broken("ipop.tap.address", remove("ipop.tap.address")),
                broken("ipop.tap.address", set("ipop.tap.address = \"10.77.0.300/24\"")),
                broken("ipop.tap.address", set("ipop.tap.address = \"10.77.0.1\"")),
                broken("ipop.tap.address", set("ipop.tap.address = \"10.77.0.1/31\"")),
                broken("ipop.tap.name", set("ipop.tap.name = \"ipop-very-long-0\"")),
                broken("ipop.tap.name", set("ipop.tap.name = \"ipop 0\"")),
                broken("ipop.tap.mtu", set("ipop.tap.mtu = 100")),
                broken("ipop.tap.tx-queue-length", set("ipop.tap.tx-queue-length = 10")),
                broken("ipop.tap.tx-queue-length", set("ipop.tap.tx-queue-length = 1000000")),
                broken("ipop.tap.mac", set("ipop.tap.mac = \"ff:ff:ff:ff:ff:ff\"")),
                broken("ipop.tap.mac", set("ipop.tap.mac = \"02:00:00:00:00\"")),
                broken("ipop.underlay.port", set("ipop.underlay.port = 0")),
                broken("ipop.underlay.port", set("ipop.underlay.port = 70000")),
                broken("ipop.underlay.port", set("ipop.underlay.port = \"abc\"")),
                broken("ipop.underlay.bind", set("ipop.underlay.bind = \"not-an-ip\"")),
                broken("ipop.underlay.bind", set("ipop.underlay.bind = \"10.1.2\"")),
                broken("ipop.security.mode", set("ipop.security.mode = sometimes")),
                broken("ipop.security.cert", set("ipop.security.mode = by-group")),
                broken("ipop.security.cert", set("ipop.security.mode = always")),
                broken("ipop.security.secure-peers", set("ipop.security.secure-peers = [ \"10.77.0.3\" ]")),
                broken("ipop.security.secure-peers[0]", set("ipop.security.secure-peers = [ \"10.77.0.0/24\" ]")),
                broken("ipop.security.key", set("ipop.security { ca = \"ca.crt\", cert = \"a.crt\" }")),
                broken("ipop.security.ca", set("ipop.security { ca = \"/nonexistent/ca.crt\", cert = \"a\", key = \"k\" }")),
                broken("ipop.peers[1].name", set("""
                        ipop.peers = [ { name = "b", endpoint = "192.0.2.2:5800" },
                                       { name = "b", endpoint = "192.0.2.3:5800" } ]""")),
                broken("ipop.peers[1].endpoint", set("""
                        ipop.peers = [ { name = "b", endpoint = "192.0.2.2:5800" },
                                       { name = "c", endpoint = "192.0.2.2:5800" } ]""")),
                broken("ipop.peers[0].name", set("ipop.peers = [ { name = \"a\", endpoint = \"192.0.2.2:5800\" } ]")),
                broken("ipop.peers[0].endpoint", set("ipop.peers = [ { name = \"b\", endpoint = \"192.0.2.2\" } ]")),
                broken("ipop.peers[0].endpoint", set("ipop.peers = [ { name = \"b\", endpoint = \"192.0.2.2:0\" } ]")),
                broken("ipop.peers[0].endpoint", set("ipop.peers = [ { name = \"b\" } ]")),
                broken("ipop.peers[0].port",
                        set("ipop.peers = [ { name = \"b\", endpoint = \"192.0.2.2:5800\", port = 5800 } ]")),
                broken("ipop.peers", set("ipop.peers = [ \"192.0.2.2:5800\" ]")),
                broken("ipop.tap.adress", set("ipop.tap.adress = \"10.77.0.1/24\"")),
                broken("ipop.link.dead-after", set("ipop.link.dead-after = 1999ms")),
                broken("ipop.link.retry-max", set("ipop.link.retry-max = 249ms")),
                broken("ipop.link.keepalive-interval", set("ipop.link.keepalive-interval = -1s")),
                broken("ipop.link.max-handshakes", set("ipop.link.max-handshakes = 0")),
                broken("ipop.link.max-handshakes", set("ipop.link.max-handshakes = 1025")),
                broken("ipop.link.idle-keepalive", set("ipop.link.idle-keepalive = 11m")),
                broken("ipop.link.idle-keepalive", set("ipop.link.idle-keepalive = -1s")),
                broken("ipop.link.dead-after", set("ipop.link.idle-keepalive = 3s")),
                broken("ipop.dataplane.mac-ttl", set("ipop.dataplane.mac-ttl = 30s")),  // gone: MACs are bound to identities
                broken("ipop.firewall.default", set("ipop.firewall.default = maybe")),
                broken("ipop.firewall.inbound[1].port", set("ipop.firewall.inbound = [ { proto = icmp }, { proto = tcp, port = 70000 } ]")),
                broken("ipop.firewall.inbound[0].port", set("ipop.firewall.inbound = [ { proto = icmp, port = 22 } ]")),
                broken("ipop.firewall.inbound[0].port", set("ipop.firewall.inbound = [ { proto = tcp, port = \"90-80\" } ]")),
                broken("ipop.firewall.inbound[0].proto", set("ipop.firewall.inbound = [ { proto = sctp } ]")),
                broken("ipop.firewall.inbound[0].groups[0]", set("ipop.firewall.inbound = [ { groups = [ \"a b\" ] } ]")),
                broken("ipop.firewall.inbound[0].colour", set("ipop.firewall.inbound = [ { colour = red } ]")),
                broken("ipop.firewall.inbound[0].action", set("ipop.firewall.inbound = [ { action = drop } ]")),
                broken("ipop.dataplane.inbound-buffer", set("ipop.dataplane.inbound-buffer = 0")),
                broken("ipop.dataplane.warm-up-frames", set("ipop.dataplane.warm-up-frames = -1")),
                broken("ipop.dataplane.warm-up-frames", set("ipop.dataplane.warm-up-frames = lots")),
                broken("ipop.dataplane.fair-queue-bytes", set("ipop.dataplane.fair-queue-bytes = 1000")),
                broken("ipop.dataplane.fair-queue-bytes", set("ipop.dataplane.fair-queue-bytes = 1GiB")),
                broken("ipop.dataplane.fair-queue-bytes", set("ipop.dataplane.fair-queue-bytes = much")),
                broken("ipop.groups[1]", set("ipop.groups = [ \"blue\", \"blue green\" ]")),
                broken("ipop.log.level", set("ipop.log.level = LOUD")),
                broken("pekko.management.http.port", set("pekko.management.http.port = 0")),
                broken("pekko.management.http.hostname", set("pekko.management.http.hostname = \"\"")));
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("brokenConfigs")
    void brokenConfigIsRejectedNamingTheKeyPath(String path, String change, UnaryOperator<Config> edit) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse(edit.apply(contract())));

        assertEquals(path, p.path());
        assertTrue(p.getMessage().startsWith(path + ": "), p.getMessage());
        assertFalse(p.getMessage().contains("\n"), "one line: " + p.getMessage());
    }

    @Test
    void ipopThatIsNotAnObjectIsAConfigProblem() {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> parse(ConfigFactory.parseString("ipop = 5")));

        assertEquals("ipop", p.path());
    }

    @Test
    void backoffDoublesFromRetryMinAndIsCappedAtRetryMax() {
        LinkSettings link = parse(contract()).link();

        assertEquals(Duration.ofMillis(250), link.backoff(0));
        assertEquals(Duration.ofMillis(500), link.backoff(1));
        assertEquals(Duration.ofSeconds(1), link.backoff(2));
        assertEquals(Duration.ofSeconds(2), link.backoff(3));
        assertEquals(Duration.ofSeconds(4), link.backoff(4));
        assertEquals(Duration.ofSeconds(8), link.backoff(5));
        assertEquals(Duration.ofSeconds(10), link.backoff(6));
        assertEquals(Duration.ofSeconds(10), link.backoff(1000));
        assertEquals(Duration.ofSeconds(10), link.backoff(Integer.MAX_VALUE));
    }

    @Test
    void backoffCapsAMaximumThatIsNoPowerOfTwoOfTheMinimum() {
        LinkSettings link = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofSeconds(1));

        assertEquals(List.of(Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofSeconds(1), Duration.ofSeconds(1)),
                List.of(link.backoff(0), link.backoff(1), link.backoff(2), link.backoff(3)));
    }

    private static Arguments broken(String path, Change change) {
        return Arguments.of(path, change.description, change.edit);
    }

    private record Change(String description, UnaryOperator<Config> edit) {
    }

    private static Change set(String hocon) {
        return new Change(hocon.replaceAll("\\s+", " "), c -> ConfigFactory.parseString(hocon).withFallback(c));
    }

    private static Change remove(String path) {
        return new Change("without " + path, c -> c.withoutPath(path));
    }
}
