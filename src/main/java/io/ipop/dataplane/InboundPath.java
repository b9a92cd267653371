package io.ipop.dataplane;

import io.ipop.frame.EthernetHeader;
import io.ipop.frame.MacAddress;
import io.ipop.route.MacTable;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.WireException;
import io.ipop.secure.LinkCipher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The per-packet logic of the inbound path, free of Pekko so it can be tested and benchmarked alone.
 *
 * <p>Inbound flow (outside to inside):
 * <ol>
 *   <li>classify: a datagram whose first two bits are zero may be STUN (RFC 7983 demultiplexing) and
 *       goes to the {@link StunSink}; for the rest, check the frame header; control frames are decoded and DTLS records passed on to the
 *       control plane; data frames are matched to their link by receiver index, and on a secure link
 *       opened (authenticated, decrypted, replay-checked) — a secure link takes no plaintext and a
 *       plaintext link no sealed frames;</li>
 *   <li>switch: learn the source MAC behind the link; keep frames for this node's MAC or a group
 *       address, drop unicast for anyone else (no transit: every node links to every peer itself);</li>
 *   <li>(in {@link Dataplane}) bounded buffer, then the TAP write.</li>
 * </ol>
 * Every rejected datagram is counted in {@link DataplaneCounters}; nothing here throws.
 */
public final class InboundPath {
    private final Supplier<RouteTable> routes;
    private final MacTable macs;
    private final long ownMac;
    private final ControlCodec codec;
    private final ControlSink control;
    private final DataplaneCounters counters;
    private final LongSupplier nanoClock;
    private final StunSink stun;

    /** An inbound path that takes no STUN (such datagrams count as {@code unknown_type}). */
    public InboundPath(Supplier<RouteTable> routes, MacTable macs, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock) {
        this(routes, macs, ownMac, codec, control, counters, nanoClock, StunSink.NONE);
    }

    public InboundPath(Supplier<RouteTable> routes, MacTable macs, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock, StunSink stun) {
        this.stun = stun;
        this.routes = routes;
        this.macs = macs;
        this.ownMac = ownMac.bits();
        this.codec = codec;
        this.control = control;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /** Stages 1 and 2 for a batch from one receive call; what is returned goes to the TAP, in order. */
    public List<InboundFrame> process(List<Datagram> batch) {
        List<InboundFrame> out = new ArrayList<>(batch.size());
        for (Datagram d : batch) {
            InboundFrame f = classifyOne(d);
            if (f != null && accept(f)) {
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
        return accept(f) ? List.of(f) : List.of();
    }

    private InboundFrame classifyOne(Datagram d) {
        counters.datagramIn();
        byte[] b = d.bytes();
        if (b.length > 0 && (b[0] & 0xC0) == 0 && stun.offer(d.from(), b)) {
            return null;                                // STUN, handled (or counted) by the sink
        }
        try {
            FrameType type = FrameHeader.check(b, 0, b.length);
            return switch (type) {
                case CONTROL -> {
                    if (!control.control(d.from(), codec.decode(b, 0, b.length))) {
                        counters.drop(Drop.UNKNOWN_PEER);
                    }
                    yield null;
                }
                case DTLS -> {
                    int index = FrameHeader.receiverIndex(b, 0);
                    if (!control.dtls(d.from(), index, Arrays.copyOfRange(b, FrameHeader.LENGTH, b.length))) {
                        counters.drop(Drop.UNKNOWN_INDEX);
                    }
                    yield null;
                }
                case DATA -> plaintext(b);
                case SECURE_DATA -> sealed(b);
            };
        } catch (WireException e) {
            counters.drop(e.reason());
            return null;
        }
    }

    private InboundFrame plaintext(byte[] b) {
        Route route = routes.get().byLocalIndex(FrameHeader.receiverIndex(b, 0));
        if (route == null) {
            counters.drop(Drop.UNKNOWN_INDEX);
            return null;
        }
        if (route.secure()) {
            counters.drop(Drop.PLAINTEXT_ON_SECURE_LINK);
            return null;
        }
        return new InboundFrame(route, b, FrameHeader.LENGTH, b.length - FrameHeader.LENGTH);
    }

    private InboundFrame sealed(byte[] b) {
        Route route = routes.get().byLocalIndex(FrameHeader.receiverIndex(b, 0));
        if (route == null) {
            counters.drop(Drop.UNKNOWN_INDEX);
            return null;
        }
        if (!route.secure()) {
            counters.drop(Drop.SECURE_ON_PLAINTEXT_LINK);
            return null;
        }
        byte[] frame = new byte[b.length];
        int n = route.cipher().open(b, b.length, frame);
        if (n < 0) {
            counters.drop(n == LinkCipher.REPLAY ? Drop.REPLAY : Drop.AUTH_FAILED);
            return null;
        }
        if (n == 0) {
            route.counters().heard();                   // sealed keepalive: authenticated liveness
            return null;
        }
        return new InboundFrame(route, frame, 0, n);
    }

    /** Stage 2 for one frame: learn its source; true if it goes to the TAP. */
    private boolean accept(InboundFrame f) {
        byte[] b = f.buf();
        int frameLength = f.length();
        if (!EthernetHeader.fits(frameLength)) {
            counters.drop(Drop.SHORT_FRAME_IN);
            f.route().counters().dropped();
            return false;
        }
        f.route().counters().received(frameLength);
        long src = EthernetHeader.source(b, f.offset());
        if (!MacAddress.isGroup(src)) {
            macs.learn(src, f.route().peer(), nanoClock.getAsLong());
        }
        long dst = EthernetHeader.destination(b, f.offset());
        if (dst != ownMac && !MacAddress.isGroup(dst)) {
            counters.drop(Drop.NOT_FOR_US);
            f.route().counters().dropped();
            return false;
        }
        return true;
    }
}
