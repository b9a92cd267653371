package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.counters.Drop;
import io.ipop.firewall.Firewall;
import io.ipop.frame.EthernetHeader;
import io.ipop.frame.FrameView;
import io.ipop.frame.MacAddress;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.WireException;
import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-packet logic of the inbound path, free of Pekko so it can be tested and benchmarked alone.
 *
 * <p>Inbound flow (outside to inside):
 * <ol>
 *   <li>classify: a datagram whose first two bits are zero may be STUN (RFC 7983 demultiplexing) and
 *       goes to the {@link StunSink}; for the rest, check the frame header; control frames are decoded and DTLS records passed on to the
 *       control plane; data frames are matched to their link by receiver index, and on a secure link
 *       opened (authenticated, decrypted, replay-checked) — a secure link takes no plaintext and a
 *       plaintext link no sealed frames; a plaintext frame must come from the link's endpoint; a FORWARD
 *       goes to {@link Forwarding}, which passes it on or hands back its inner datagram, classified here as
 *       coming from the source's overlay path;</li>
 *   <li>switch: the source MAC must be the link's peer's, the destination this node's MAC or a group
 *       address (no transit: every node links to every peer itself); then the frame's sender addresses
 *       must be the peer's ({@link SourceCheck}), and the group firewall must let it in;</li>
 *   <li>(in {@link Dataplane}) bounded buffer, then the TAP write.</li>
 * </ol>
 * Every rejected datagram is counted in {@link DataplaneCounters}, and each refused frame also on its link
 * by reason, logged at most once per 10 s per link and reason; nothing here throws.
 */
public final class InboundPath {
    private static final Logger log = LoggerFactory.getLogger(InboundPath.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Supplier<RouteTable> routes;
    private final Supplier<Firewall> firewall;
    /** Per thread: the run-to-completion path and the pipeline may run this path on different threads. */
    private final ThreadLocal<FrameView> views = ThreadLocal.withInitial(FrameView::new);
    private final long ownMac;
    private final ControlCodec codec;
    private final ControlSink control;
    private final DataplaneCounters counters;
    private final LongSupplier nanoClock;
    private final StunSink stun;
    /** Multi-hop forwarding, or null on a node built without it (a FORWARD then counts as {@code unlinked_source}). */
    private final Forwarding forwarding;

    /** An inbound path that takes no STUN (such datagrams count as {@code unknown_type}). */
    public InboundPath(Supplier<RouteTable> routes, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock) {
        this(routes, () -> Firewall.OPEN, ownMac, codec, control, counters, nanoClock, StunSink.NONE);
    }

    /** @param firewall the current firewall (a reload replaces it) */
    public InboundPath(Supplier<RouteTable> routes, Supplier<Firewall> firewall, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock, StunSink stun) {
        this(routes, firewall, ownMac, codec, control, counters, nanoClock, stun, null);
    }

    /** @param forwarding passes FORWARD datagrams on and unwraps those for this node (null: none taken) */
    public InboundPath(Supplier<RouteTable> routes, Supplier<Firewall> firewall, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock, StunSink stun,
                       Forwarding forwarding) {
        this.forwarding = forwarding;
        this.stun = stun;
        this.routes = routes;
        this.firewall = firewall;
        this.ownMac = ownMac.bits();
        this.codec = codec;
        this.control = control;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /** Stages 1 and 2 for a batch from one receive call; what is returned goes to the TAP, in order. */
    public List<InboundFrame> process(List<Datagram> batch) {
        List<InboundFrame> out = new ArrayList<>(batch.size());
        FrameView view = views.get();
        Firewall fw = firewall.get();
        for (Datagram d : batch) {
            InboundFrame f = classifyOne(d);
            if (f != null && accept(f, view, fw)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Stage 1: control goes to the control plane, data to its link. */
    public List<InboundFrame> classify(Datagram d) {
        InboundFrame f = classifyOne(d);
        return f == null ? List.of() : List.of(f);
    }

    /** Stage 2: learn and filter; what is returned goes to the TAP. */
    public List<InboundFrame> switchIn(InboundFrame f) {
        return accept(f, views.get(), firewall.get()) ? List.of(f) : List.of();
    }

    private InboundFrame classifyOne(Datagram d) {
        if (OverlayPaths.isOverlay(d.from())) {
            counters.drop(DataDrop.FORWARD_UNLINKED);     // 0.0.0.0/8 stands for overlay paths: never a real source
            return null;
        }
        return classifyFrom(d);
    }

    /** Stage 1 for a datagram from the socket, or the inner datagram of a FORWARD for this node (from its overlay path). */
    private InboundFrame classifyFrom(Datagram d) {
        byte[] b = d.bytes();
        if (b.length > 0 && (b[0] & 0xC0) == 0 && stun.offer(d.from(), b)) {
            return null;                                // STUN, handled (or counted) by the sink
        }
        try {
            FrameType type = FrameHeader.check(b, 0, b.length);
            return switch (type) {
                case CONTROL -> {
                    if (!control.control(d.from(), codec.decode(b, 0, b.length))) {
                        counters.drop(DataDrop.UNKNOWN_PEER);
                    }
                    yield null;
                }
                case DTLS -> {
                    int index = FrameHeader.receiverIndex(b, 0);
                    if (!control.dtls(d.from(), index, Arrays.copyOfRange(b, FrameHeader.LENGTH, b.length))) {
                        counters.drop(DataDrop.UNKNOWN_INDEX);
                    }
                    yield null;
                }
                case DATA -> plaintext(b, d.from());
                case SECURE_DATA -> sealed(b);
                case FORWARD -> {
                    if (forwarding == null) {
                        counters.drop(DataDrop.FORWARD_UNLINKED);
                        yield null;
                    }
                    Datagram inner = forwarding.receive(d);
                    yield inner == null ? null : classifyFrom(inner);   // never a FORWARD again (Forward.View.parse)
                }
            };
        } catch (WireException e) {
            counters.drop(e.reason());
            return null;
        }
    }

    /** Invariant 4 of docs/security.md: a plaintext link takes data only from its peer's endpoint. */
    private InboundFrame plaintext(byte[] b, Endpoint from) {
        Route route = routes.get().byLocalIndex(FrameHeader.receiverIndex(b, 0));
        if (route == null) {
            counters.drop(DataDrop.UNKNOWN_INDEX);
            return null;
        }
        if (route.secure()) {
            counters.drop(DataDrop.PLAINTEXT_ON_SECURE_LINK);
            return null;
        }
        if (!route.endpoint().equals(from)) {
            refuse(route, DataDrop.DATA_WRONG_ADDRESS, from);
            return null;
        }
        return new InboundFrame(route, b, FrameHeader.LENGTH, b.length - FrameHeader.LENGTH);
    }

    private InboundFrame sealed(byte[] b) {
        Route route = routes.get().byLocalIndex(FrameHeader.receiverIndex(b, 0));
        if (route == null) {
            counters.drop(DataDrop.UNKNOWN_INDEX);
            return null;
        }
        if (!route.secure()) {
            counters.drop(DataDrop.SECURE_ON_PLAINTEXT_LINK);
            return null;
        }
        byte[] frame = new byte[b.length];
        int n = route.cipher().open(b, b.length, frame);
        if (n < 0) {
            counters.drop(n == LinkCipher.REPLAY ? DataDrop.REPLAY : DataDrop.AUTH_FAILED);
            return null;
        }
        if (n == 0) {
            route.counters().heard();                   // sealed keepalive: authenticated liveness
            route.counters().controlReceived();
            return null;
        }
        return new InboundFrame(route, frame, 0, n);
    }

    /** Stage 2 for one frame: whose it is, whom it is for, what it claims, the firewall; true if it goes to the TAP. */
    private boolean accept(InboundFrame f, FrameView view, Firewall fw) {
        byte[] b = f.buf();
        int offset = f.offset();
        int frameLength = f.length();
        Route route = f.route();
        if (!EthernetHeader.fits(frameLength)) {
            counters.drop(DataDrop.SHORT_FRAME_IN);
            route.counters().dropped(DataDrop.SHORT_FRAME_IN.ordinal());
            return false;
        }
        route.counters().received(frameLength);
        long src = EthernetHeader.source(b, offset);
        if (src != route.mac()) {
            refuse(route, DataDrop.SPOOFED_MAC, new MacAddress(src));
            return false;
        }
        long dst = EthernetHeader.destination(b, offset);
        if (dst != ownMac && !MacAddress.isGroup(dst)) {
            counters.drop(DataDrop.NOT_FOR_US);
            route.counters().dropped(DataDrop.NOT_FOR_US.ordinal());
            return false;
        }
        Drop why = SourceCheck.check(route.identity(), view, b, offset, frameLength);
        if (why == null && fw.active() && !fw.admits(route.identity(), view, route.flows(), nanoClock.getAsLong())) {
            why = DataDrop.FIREWALL;
        }
        if (why != null) {
            refuse(route, why, null);
            return false;
        }
        return true;
    }

    /** Counts a refused frame on the node and on its link, and logs it at most once per 10 s per link and reason. */
    private void refuse(Route route, Drop why, Object detail) {
        counters.drop(why);
        route.counters().dropped(why.ordinal());
        if (route.counters().mayLog(why.ordinal(), nanoClock.getAsLong(), LOG_INTERVAL_NANOS)) {
            log.warn("link to {}: dropped a frame ({}{}); {} so far on this link, logged at most every 10 s",
                    route.peer(), why.counter(), detail == null ? "" : ", " + detail, route.counters().drops(why.ordinal()));
        }
    }
}
