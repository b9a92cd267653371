package io.ipop.dataplane;

import io.ipop.frame.EthernetHeader;
import io.ipop.frame.MacAddress;
import io.ipop.route.MacTable;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.WireException;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The per-packet logic of the inbound path, free of Pekko so it can be tested and benchmarked alone.
 *
 * <p>Inbound flow (outside to inside):
 * <ol>
 *   <li>classify: check the frame header; control frames are decoded and handed to the control plane,
 *       data frames are matched to their link by receiver index;</li>
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

    public InboundPath(Supplier<RouteTable> routes, MacTable macs, MacAddress ownMac, ControlCodec codec,
                       ControlSink control, DataplaneCounters counters, LongSupplier nanoClock) {
        this.routes = routes;
        this.macs = macs;
        this.ownMac = ownMac.bits();
        this.codec = codec;
        this.control = control;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /** Stage 1: control goes to the control plane, data to its link. */
    public List<InboundFrame> classify(Datagram d) {
        counters.datagramIn();
        byte[] b = d.bytes();
        try {
            FrameType type = FrameHeader.check(b, 0, b.length);
            if (type == FrameType.CONTROL) {
                ControlMessage m = codec.decode(b, 0, b.length);
                if (!control.accept(d.from(), m)) {
                    counters.drop(Drop.UNKNOWN_PEER);
                }
                return List.of();
            }
            Route route = routes.get().byLocalIndex(FrameHeader.receiverIndex(b, 0));
            if (route == null) {
                counters.drop(Drop.UNKNOWN_INDEX);
                return List.of();
            }
            return List.of(new InboundFrame(route, b));
        } catch (WireException e) {
            counters.drop(e.reason());
            return List.of();
        }
    }

    /** Stage 2: learn and filter; what is returned goes to the TAP. */
    public List<InboundFrame> switchIn(InboundFrame f) {
        byte[] b = f.datagram();
        int frameLength = b.length - FrameHeader.LENGTH;
        if (!EthernetHeader.fits(frameLength)) {
            counters.drop(Drop.SHORT_FRAME_IN);
            f.route().counters().dropped();
            return List.of();
        }
        f.route().counters().received(frameLength);
        long src = EthernetHeader.source(b, FrameHeader.LENGTH);
        if (!MacAddress.isGroup(src)) {
            macs.learn(src, f.route().peer(), nanoClock.getAsLong());
        }
        long dst = EthernetHeader.destination(b, FrameHeader.LENGTH);
        if (dst != ownMac && !MacAddress.isGroup(dst)) {
            counters.drop(Drop.NOT_FOR_US);
            f.route().counters().dropped();
            return List.of();
        }
        return List.of(f);
    }
}
