package io.ipop.node;

import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.frame.MacAddress;
import io.ipop.management.ManagementServer;
import io.ipop.management.PrometheusText;
import io.ipop.peer.LinkState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * conf/grafana/ipop-node.json queries only metrics a node serves: every metric name in a panel's or a
 * variable's query must be a sample of a running node's /metrics (two in-process nodes, one plaintext link,
 * traffic between them, and one frame b sends in another node's MAC, so that the per-reason drop series exist).
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("conf/grafana/ipop-node.json");
    /** A metric name in PromQL: ipop_* or jvm_*, not followed by "(" (a function) — labels and functions are lower case too. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:ipop|jvm)_[a-z0-9_]+)\\b(?!\\s*\\()");

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stop() {
        nodes.close();
    }

    /** Every metric name the dashboard's queries use (panel targets and template variables). */
    static Set<String> queriedMetrics(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        dashboard.findValues("expr").forEach(e -> collect(e.asText(), names));
        dashboard.findValues("definition").forEach(e -> collect(e.asText(), names));
        return names;
    }

    private static void collect(String query, Set<String> names) {
        Matcher m = METRIC.matcher(query);
        while (m.find()) {
            names.add(m.group(1));
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsServedByANode() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = queriedMetrics(dashboard);
        assertTrue(queried.containsAll(Set.of("ipop_node_links_up", "ipop_link_bytes_total", "ipop_link_rtt_seconds",
                "ipop_dataplane_drops_total", "ipop_dataplane_buffer_fill", "ipop_link_handshakes_total")), queried.toString());

        TestNodes.Node a = nodes.start("a", 1, "", "b:2");
        TestNodes.Node b = nodes.start("b", 2, "", "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        ServerBinding binding = ManagementServer.start(a.system(), new ManagementSettings("127.0.0.1", 0, ""))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        URI metrics = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/metrics");

        for (int i = 0; i < 3; i++) {
            a.tap().inject(TestNodes.frame(b.mac(), a.mac(), 1000, new byte[] {7}));
            b.tap().takeWritten(3000);
        }
        b.tap().inject(TestNodes.frame(a.mac(), MacAddress.parse("02:00:00:00:00:77"), 100, new byte[] {7}));
        // some series appear only once measured (the RTT after a keepalive): scrape until all are there, 20 s at most
        Set<String> missing = new TreeSet<>(queried);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode());
            Set<String> served = new TreeSet<>();
            PrometheusText.parse(resp.body()).keySet().forEach(k -> served.add(k.replaceFirst("\\{.*", "")));
            missing.removeIf(served::contains);
            if (!missing.isEmpty()) {
                Thread.sleep(500);
            }
        }
        assertEquals(Set.of(), missing, "queried by conf/grafana/ipop-node.json but not in a node's /metrics");
    }
}
