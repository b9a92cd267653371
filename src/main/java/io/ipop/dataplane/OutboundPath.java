package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.firewall.Firewall;
import io.ipop.frame.EthernetHeader;
import io.ipop.frame.FrameView;
import io.ipop.frame.MacAddress;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The per-packet logic of the outbound path, free of Pekko.
 *
 * <p>Outbound flow (inside to outside):
 * <ol>
 *   <li>(in {@link Dataplane}) TAP read;</li>
 *   <li>switch: a unicast destination goes only to the link of the peer whose MAC it is (docs/security.md,
 *       invariant 3), and nowhere if no up link's peer has it: unknown unicast is never flooded, so no
 *       frame for a secure peer can leave on a plaintext link; broadcast and multicast go to every up
 *       link (ARP and IPv6 neighbor discovery need it); with a firewall, a unicast packet's flow is
 *       remembered on its link so the replies may come in; unicast for no link, and ARP requests, are told to
 *       the {@link OverlayDemand}, which may open an overlay session to a member (the frame is still dropped);</li>
 *   <li>frame: each copy gets the 8-byte header with the receiving peer's index, and on a secure link
 *       is sealed with the link's keys;</li>
 *   <li>(in {@link Dataplane}) bounded buffer, then the UDP send.</li>
 * </ol>
 */
public final class OutboundPath {
    private final Supplier<RouteTable> routes;
    private final Supplier<Firewall> firewall;
    private final DataplaneCounters counters;
    private final LongSupplier nanoClock;
    /** Per thread, like the inbound path's: the reading thread or the pipeline's may run this. */
    private final ThreadLocal<FrameView> views = ThreadLocal.withInitial(FrameView::new);
    private final OverlayDemand demand;

    public OutboundPath(Supplier<RouteTable> routes, DataplaneCounters counters) {
        this(routes, () -> Firewall.OPEN, counters, System::nanoTime);
    }

    /** @param firewall the current firewall: while it is active, flows are tracked */
    public OutboundPath(Supplier<RouteTable> routes, Supplier<Firewall> firewall, DataplaneCounters counters,
                        LongSupplier nanoClock) {
        this(routes, firewall, counters, nanoClock, OverlayDemand.NONE);
    }

    /** @param demand told of unicast for no link and of broadcasts, to open overlay sessions on demand */
    public OutboundPath(Supplier<RouteTable> routes, Supplier<Firewall> firewall, DataplaneCounters counters,
                        LongSupplier nanoClock, OverlayDemand demand) {
        this.demand = demand;
        this.routes = routes;
        this.firewall = firewall;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /** Stages 2 and 3 for a batch of frames from one TAP read burst (each array is exactly one frame). */
    public List<Outgoing> process(List<byte[]> frames) {
        List<Outgoing> out = new ArrayList<>(frames.size());
        FrameView track = firewall.get().active() ? views.get() : null;
        for (byte[] f : frames) {
            switchOut(f, f.length, out, track);
        }
        return out;
    }

    /** Stages 2 and 3 for one frame of {@code length} bytes read from the TAP into {@code buf}. */
    public List<Outgoing> switchOut(byte[] buf, int length) {
        List<Outgoing> out = new ArrayList<>(1);
        switchOut(buf, length, out, firewall.get().active() ? views.get() : null);
        return out;
    }

    /** {@code track}: with a firewall, the view to read a unicast frame's flow into; else null. */
    private void switchOut(byte[] buf, int length, List<Outgoing> out, FrameView track) {
        counters.frameFromTap();
        if (!EthernetHeader.fits(length)) {
            counters.drop(DataDrop.SHORT_FRAME_OUT);
            return;
        }
        RouteTable table = routes.get();
        if (table.isEmpty()) {
            counters.drop(DataDrop.NO_LINK);
            return;
        }
        long dst = EthernetHeader.destination(buf, 0);
        if (!MacAddress.isGroup(dst)) {
            Route route = table.byMac(dst);
            if (route == null) {
                counters.drop(DataDrop.UNKNOWN_DESTINATION);
                demand.unknownUnicast(dst);             // a member without a link: open an overlay session
                return;
            }
            if (track != null && track.parse(buf, 0, length)) {
                route.flows().track(track, nanoClock.getAsLong());
            }
            out.add(frame(route, buf, length));
            return;
        }
        demand.broadcast(buf, length);                  // an ARP request for a member without a link
        for (Route r : table.all()) {
            out.add(frame(r, buf, length));
        }
    }

    private static Outgoing frame(Route route, byte[] buf, int length) {
        if (route.secure()) {
            return new Outgoing(route, route.cipher().seal(buf, 0, length), length);
        }
        byte[] datagram = new byte[FrameHeader.LENGTH + length];
        FrameHeader.write(datagram, 0, FrameType.DATA, route.remoteIndex());
        System.arraycopy(buf, 0, datagram, FrameHeader.LENGTH, length);
        return new Outgoing(route, datagram, length);
    }
}
