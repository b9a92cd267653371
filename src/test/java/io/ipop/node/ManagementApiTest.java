package io.ipop.node;

import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.management.ManagementServer;
import io.ipop.management.PrometheusText;
import io.ipop.node.TestNodes.Node;
import io.ipop.peer.LinkState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management API over real HTTP, served by {@link ManagementServer} for a whole in-process node:
 * the bearer token guards every route, /metrics is Prometheus text whose counters move with traffic,
 * / serves the topology page, POST /overlay/reload answers.
 */
class ManagementApiTest {
    private static final String TOKEN = "test-token-0123456789";

    private final TestNodes nodes = new TestNodes();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final AtomicReference<String> aConfig = new AtomicReference<>(
            TestNodes.config("a", 1, "management.token = \"" + TOKEN + "\"", "b:2"));
    private Node a;
    private Node b;
    private String base;

    @BeforeEach
    void start() throws Exception {
        a = nodes.start("a", 1, aConfig::get);
        b = nodes.start("b", 2, "", "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        ServerBinding binding = ManagementServer.start(a.system(), new ManagementSettings("127.0.0.1", 0, TOKEN))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + binding.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void everyRouteNeedsTheToken() throws Exception {
        for (String path : List.of("/alive", "/ready", "/metrics", "/overlay/node", "/overlay/links", "/")) {
            HttpResponse<String> none = get(path, null);
            assertEquals(401, none.statusCode(), path);
            assertEquals("Bearer realm=\"ipop-node\"", none.headers().firstValue("WWW-Authenticate").orElse(""), path);
            assertEquals(401, get(path, "wrong-token-0123456789").statusCode(), path);
            assertEquals(200, get(path, TOKEN).statusCode(), path);
        }
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/overlay/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/?access_token=" + TOKEN)).GET()).statusCode(),
                "the page opened in a browser carries the token in the URL");
    }

    @Test
    void metricsParseAsPrometheusTextAndCountersMoveWithTraffic() throws Exception {
        HttpResponse<String> first = get("/metrics", TOKEN);
        assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                first.headers().toString());
        Map<String, Double> before = parse(first.body());
        assertEquals(1.0, before.get("ipop_link_state{peer=b,state=up}"));
        assertEquals(0.0, before.get("ipop_link_state{peer=b,state=lost}"));
        assertEquals(0.0, before.get("ipop_link_secure{peer=b,reason=mode:never}"));
        assertEquals(1.0, before.get("ipop_link_ups_total{peer=b}"));
        assertEquals(0.0, before.get("ipop_link_handshakes_total{peer=b,result=ok}"));
        assertEquals(0.0, before.get("ipop_link_forwarded_datagrams_total{peer=b}"), "two nodes: nothing forwarded");
        assertEquals(0.0, before.get("ipop_link_forwarded_bytes_total{peer=b}"));
        assertEquals(256.0, before.get("ipop_dataplane_buffer_size{direction=inbound}"));
        assertEquals(0.0, before.get("ipop_dataplane_drops_total{reason=not_for_us,stage=switch_in}"));
        assertEquals(1.0, before.get("ipop_node_links_up"));
        for (String kind : List.of("sent", "received", "forwarded")) {
            assertEquals(0.0, before.get("ipop_nat_signaling_total{kind=" + kind + "}"), "no rendezvous here: " + kind);
        }
        assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics too");

        for (int i = 0; i < 5; i++) {
            a.tap().inject(TestNodes.frame(b.mac(), a.mac(), 1000, new byte[] {7}));
            b.tap().takeWritten(3000);
        }
        a.tap().inject(TestNodes.frame(MacAddress.parse("02:00:00:00:00:99"), a.mac(), 100, new byte[] {7}));
        TestNodes.await(() -> a.counters().drops(io.ipop.counters.DataDrop.UNKNOWN_DESTINATION) == 1,
                "a drops the frame for a MAC no peer owns (never flooded)");
        Map<String, Double> after = parse(get("/metrics", TOKEN).body());
        double out = after.get("ipop_link_packets_total{direction=out,peer=b}")
                - before.get("ipop_link_packets_total{direction=out,peer=b}");
        assertTrue(out >= 5, "packets out moved by " + out);
        assertTrue(after.get("ipop_link_bytes_total{direction=out,peer=b}")
                - before.get("ipop_link_bytes_total{direction=out,peer=b}") >= 5000);
        assertEquals(1.0, after.get("ipop_dataplane_drops_total{reason=unknown_destination,stage=switch_out}"));
        TestNodes.await(() -> a.snapshot("b").rttNanos() >= 0, "a measured the RTT to b (a keepalive answered)");
        Double rtt = parse(get("/metrics", TOKEN).body()).get("ipop_link_rtt_seconds{peer=b}");
        assertTrue(rtt != null && rtt >= 0 && rtt < 1, "RTT is reported once measured: " + rtt);
        // the answered keepalive was b's pong, taken on the up link: control_in moved, and /metrics says so
        double controlIn = before.get("ipop_link_control_in_total{peer=b}");
        TestNodes.await(() -> metric("ipop_link_control_in_total{peer=b}") > controlIn, "control_in of the link to b moved in /metrics");
    }

    @Test
    void theTopologyPageIsServedFromTheJar() throws Exception {
        HttpResponse<String> page = get("/", TOKEN);
        assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElse(""));
        assertTrue(page.body().contains("<svg id=\"graph\""), "an SVG to draw in");
        assertTrue(page.body().contains("/overlay/links"), "polls the links");
        assertTrue(!page.body().contains("src=\"http") && !page.body().contains("href=\"http"), "nothing from outside");
    }

    @Test
    void reloadAnswers200WithWhatChangedOr400WithTheOneLineReason() throws Exception {
        HttpResponse<String> same = postReload();
        assertEquals(200, same.statusCode(), same.body());
        assertTrue(same.body().contains("\"applied\" : true") && same.body().contains("no change"), same.body());

        aConfig.set(TestNodes.config("a", 1, "management.token = \"" + TOKEN + "\"\ntap.mtu = 1300", "b:2"));
        HttpResponse<String> refused = postReload();
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"applied\" : false"), refused.body());
        assertTrue(refused.body().contains("ipop.tap.mtu: cannot change while the node runs"), refused.body());
        assertEquals(LinkState.UP, a.snapshot("b").state());
    }

    private HttpResponse<String> postReload() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/overlay/reload"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return send(req);
    }

    private HttpResponse<String> send(HttpRequest.Builder req) throws Exception {
        return http.send(req.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One value from a fresh scrape, for polling. */
    private double metric(String key) {
        try {
            return parse(get("/metrics", TOKEN).body()).get(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Double> parse(String text) {
        return PrometheusText.parse(text);
    }
}
