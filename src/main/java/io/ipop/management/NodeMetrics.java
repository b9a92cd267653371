package io.ipop.management;

import io.ipop.counters.Drop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.discovery.RecordRefusal;
import io.ipop.nat.SignalCounters;
import io.ipop.node.NodeRuntime;
import io.ipop.peer.LinkSnapshot;
import io.ipop.peer.LinkState;
import io.ipop.peer.PeerLink;
import io.ipop.peer.SetupCounters;
import io.ipop.route.LinkCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The node's Prometheus metrics. Nothing is counted a second time: every value is read at scrape time,
 * through callbacks, from the counters the data plane and the peer sessions already keep
 * ({@link LinkCounters}, {@link SetupCounters}, {@link DataplaneCounters}, the link snapshots), next to
 * the JVM's own metrics. Links come and go with reloads; each scrape shows the links of that moment.
 * Names and labels are listed in docs/management.md.
 */
final class NodeMetrics {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final NodeRuntime runtime;

    NodeMetrics(NodeRuntime runtime, ApiRefusals refusals) {
        this.runtime = runtime;
        JvmMetrics.builder().register(registry);
        registerLinkMetrics();
        registerDataplaneMetrics();
        registerNodeMetrics();
        registerManagementMetrics(refusals);
    }

    /** The text exposition format (version 0.0.4). */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            TEXT.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String contentType() {
        return TEXT.getContentType();
    }

    private void registerLinkMetrics() {
        linkCounter("ipop_link_packets", "Data frames from (in) and to (out) the peer", (l, c) -> {
            c.call(l.counters().packetsIn(), l.peer().name(), "in");
            c.call(l.counters().packetsOut(), l.peer().name(), "out");
        }, "direction");
        linkCounter("ipop_link_bytes", "Ethernet bytes of the data frames from (in) and to (out) the peer", (l, c) -> {
            c.call(l.counters().bytesIn(), l.peer().name(), "in");
            c.call(l.counters().bytesOut(), l.peer().name(), "out");
        }, "direction");
        linkCounter("ipop_link_control_in", "Keepalives and control messages taken from the peer on the up link",
                (l, c) -> c.call(l.counters().controlIn(), l.peer().name()));
        linkCounter("ipop_link_forwarded_datagrams", "FORWARD datagrams handed to the peer: passed on for other nodes, or this node's own overlay paths through it",
                (l, c) -> c.call(l.counters().forwarded(), l.peer().name()));
        linkCounter("ipop_link_forwarded_bytes", "Bytes (envelope included) of the FORWARD datagrams handed to the peer",
                (l, c) -> c.call(l.counters().forwardedBytes(), l.peer().name()));
        linkCounter("ipop_link_dropped_frames", "Data frames from or to the peer that were dropped",
                (l, c) -> c.call(l.counters().drops(), l.peer().name()));
        linkCounter("ipop_link_drops", "Frames from or to the peer that were dropped, by reason (spoofed_mac, firewall, ...)",
                (l, c) -> Views.dropsByReason(l.counters()).forEach((reason, n) -> c.call(n, l.peer().name(), reason)), "reason");
        linkCounter("ipop_link_ups", "Times the link came up", (l, c) -> c.call(l.setups().linksUp(), l.peer().name()));
        linkCounter("ipop_link_handshakes", "DTLS handshakes of the link by result (ok, failed)", (l, c) -> {
            c.call(l.setups().handshakesOk(), l.peer().name(), "ok");
            c.call(l.setups().handshakesFailed(), l.peer().name(), "failed");
        }, "result");
        linkCounter("ipop_link_distrusted", "Times the live link was closed because the peer's certificate no longer "
                + "stood (revoked, expired, not from the current CA)", (l, c) -> c.call(l.setups().distrusted(), l.peer().name()));
        linkCounter("ipop_link_rekeys", "Times the secure link switched to new data keys", (l, c) -> c.call(l.rekeys(), l.peer().name()));
        GaugeWithCallback.builder().name("ipop_link_key_age_seconds")
                .help("How long the secure link's data keys have been in use; absent without keys")
                .labelNames("peer")
                .callback(c -> eachLink(l -> {
                    java.time.Duration age = l.keyAge();
                    if (age != null) {
                        c.call(age.toMillis() / 1000.0, l.peer().name());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("ipop_link_state").help("1 for the state the link is in, 0 for the others")
                .labelNames("peer", "state")
                .callback(c -> eachLink(l -> {
                    LinkState now = l.snapshot().state();
                    for (LinkState s : LinkState.values()) {
                        c.call(s == now ? 1 : 0, l.peer().name(), s.label());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("ipop_link_secure")
                .help("1 if the link is encrypted, 0 if plaintext, with the reason; absent until both sides decided")
                .labelNames("peer", "reason")
                .callback(c -> eachLink(l -> {
                    LinkSnapshot s = l.snapshot();
                    if (s.security() != null) {
                        c.call(s.security().secure() ? 1 : 0, l.peer().name(), s.security().reason());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("ipop_link_rtt_seconds").help("Last keepalive round trip; absent until measured")
                .labelNames("peer")
                .callback(c -> eachLink(l -> {
                    long rtt = l.snapshot().rttNanos();
                    if (rtt >= 0) {
                        c.call(rtt / 1e9, l.peer().name());
                    }
                })).register(registry);
    }

    private void registerDataplaneMetrics() {
        CounterWithCallback.builder().name("ipop_dataplane_drops").help("Datagrams and frames dropped, by stage and reason")
                .labelNames("stage", "reason")
                .callback(c -> withState(s -> {
                    for (Drop d : Drop.all()) {
                        c.call(s.counters().drops(d), d.stage().label(), d.counter());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("ipop_dataplane_buffer_fill")
                .help("Frames between the switch and the TAP write (inbound) or the UDP send (outbound)")
                .labelNames("direction")
                .callback(c -> withState(s -> {
                    c.call(s.counters().inboundFill(), "inbound");
                    c.call(s.counters().outboundFill(), "outbound");
                })).register(registry);
        GaugeWithCallback.builder().name("ipop_dataplane_buffer_size").help("Configured size of the bounded buffers")
                .labelNames("direction")
                .callback(c -> withState(s -> {
                    c.call(s.settings().dataplane().inboundBuffer(), "inbound");
                    c.call(s.settings().dataplane().outboundBuffer(), "outbound");
                })).register(registry);
        CounterWithCallback.builder().name("ipop_nat_signaling")
                .help("Link setup through rendezvous nodes: hellos sent through one, taken from one, passed on as one")
                .labelNames("kind")
                .callback(c -> withState(s -> {
                    SignalCounters.View v = s.nat().signaling().view();
                    c.call(v.sent(), "sent");
                    c.call(v.received(), "received");
                    c.call(v.forwarded(), "forwarded");
                })).register(registry);
        nodeCounter("ipop_dataplane_datagrams_in", "Datagrams received on the underlay socket", DataplaneCounters::datagramsIn);
        nodeCounter("ipop_dataplane_tap_frames", "Frames read from the TAP device", DataplaneCounters::framesFromTap);
        nodeCounter("ipop_dataplane_tap_frames_written", "Frames handed to the TAP device", DataplaneCounters::framesToTap);
        nodeCounter("ipop_dataplane_tap_writes", "Write system calls to the TAP device (fewer than frames when TCP segments are joined)",
                DataplaneCounters::tapWrites);
    }

    private void registerNodeMetrics() {
        GaugeWithCallback.builder().name("ipop_node_info").help("Always 1; the node's identity in labels")
                .labelNames("name", "instance", "overlay_ip", "security_mode")
                .callback(c -> withState(s -> c.call(1, s.node().name(), s.node().instance(), s.node().address().ip(),
                        s.settings().security().mode().name().toLowerCase().replace('_', '-'))))
                .register(registry);
        CounterWithCallback.builder().name("ipop_cluster_records_refused")
                .help("Cluster peer records refused (each distinct record once), by reason; absent without cluster discovery")
                .labelNames("reason")
                .callback(c -> withState(s -> s.clusterRecords().ifPresent(r -> {
                    for (RecordRefusal reason : RecordRefusal.values()) {
                        c.call(r.refused(reason), reason.counter());
                    }
                }))).register(registry);
        GaugeWithCallback.builder().name("ipop_cluster_records_followed").help("Peers followed through the cluster directory")
                .callback(c -> withState(s -> s.clusterRecords().ifPresent(r -> c.call(r.followed())))).register(registry);
        GaugeWithCallback.builder().name("ipop_node_peers").help("Peers this node knows")
                .callback(c -> withState(s -> c.call(s.links().all().size()))).register(registry);
        GaugeWithCallback.builder().name("ipop_node_links_up").help("Links that are up")
                .callback(c -> withState(s -> c.call(s.links().all().stream()
                        .filter(l -> l.snapshot().state() == LinkState.UP).count()))).register(registry);
    }

    private void registerManagementMetrics(ApiRefusals refusals) {
        CounterWithCallback.builder().name("ipop_node_reloads").help("Config reloads (SIGHUP, POST /overlay/reload) by result")
                .labelNames("result")
                .callback(c -> {
                    NodeRuntime.Reloads r = runtime.reloads();
                    c.call(r.applied(), "applied");
                    c.call(r.refused(), "refused");
                }).register(registry);
        CounterWithCallback.builder().name("ipop_management_refused")
                .help("Management API requests refused, by reason (bad_host, cross_site, no_token, wrong_token, token_in_url)")
                .labelNames("reason")
                .callback(c -> refusals.view().forEach((reason, n) -> c.call(n, reason))).register(registry);
    }

    private void linkCounter(String name, String help, BiConsumer<PeerLink, CounterWithCallback.Callback> values,
                             String... extraLabels) {
        String[] labels = new String[extraLabels.length + 1];
        labels[0] = "peer";
        System.arraycopy(extraLabels, 0, labels, 1, extraLabels.length);
        CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(c -> eachLink(l -> values.accept(l, c))).register(registry);
    }

    private void nodeCounter(String name, String help, ToLongFunction<DataplaneCounters> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(c -> withState(s -> c.call(value.applyAsLong(s.counters())))).register(registry);
    }

    private void eachLink(Consumer<PeerLink> action) {
        withState(s -> s.links().all().forEach(action));
    }

    /** Nothing is reported while the node starts. */
    private void withState(Consumer<NodeRuntime.State> action) {
        NodeRuntime.State s = runtime.state();
        if (s != null) {
            action.accept(s);
        }
    }
}
