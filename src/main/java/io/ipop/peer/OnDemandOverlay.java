package io.ipop.peer;

import io.ipop.dataplane.OverlayDemand;
import io.ipop.frame.EthernetHeader;
import io.ipop.route.RouteTable;
import io.ipop.wire.PeerId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Opens overlay sessions on demand (docs/architecture.md, "Overlay paths"): a frame from the TAP for the MAC
 * of a member without an up link, or an ARP request for a member's overlay address, asks the directory for an
 * overlay session to that member. The frame itself is lost (as Nebula loses the packets before its handshake);
 * the sender's retransmission or next ARP request finds the link. Runs on the outbound thread: no blocking
 * beyond a short lock, and bounded: one request per member every {@value #PER_MEMBER_GAP_MS} ms and at most
 * {@value #PER_SECOND} a second in all.
 */
public final class OnDemandOverlay implements OverlayDemand {
    static final long PER_MEMBER_GAP_MS = 1000;
    static final int PER_SECOND = 20;
    private static final int ARP = 0x0806;
    private static final int ARP_REQUEST = 1;
    private static final int ARP_TARGET_IP = EthernetHeader.LENGTH + 24;

    private final OverlayMembers members;
    private final Supplier<RouteTable> routes;
    private final Consumer<PeerId> open;
    private final LongSupplier nanoClock;
    private final Map<PeerId, Long> asked = new LinkedHashMap<>();
    private long second;
    private int thisSecond;

    /** @param open asks the directory for an overlay session ({@link PeerDirectory.OpenOverlay}) */
    public OnDemandOverlay(OverlayMembers members, Supplier<RouteTable> routes, Consumer<PeerId> open, LongSupplier nanoClock) {
        this.members = members;
        this.routes = routes;
        this.open = open;
        this.nanoClock = nanoClock;
    }

    @Override
    public void unknownUnicast(long mac) {
        PeerId member = members.byMac(mac);
        if (member != null) {
            ask(member);
        }
    }

    @Override
    public void broadcast(byte[] frame, int length) {
        if (length < ARP_TARGET_IP + 4 || EthernetHeader.etherType(frame, 0) != ARP
                || ((frame[EthernetHeader.LENGTH + 6] & 0xFF) << 8 | (frame[EthernetHeader.LENGTH + 7] & 0xFF)) != ARP_REQUEST) {
            return;
        }
        int target = (frame[ARP_TARGET_IP] & 0xFF) << 24 | (frame[ARP_TARGET_IP + 1] & 0xFF) << 16
                | (frame[ARP_TARGET_IP + 2] & 0xFF) << 8 | (frame[ARP_TARGET_IP + 3] & 0xFF);
        PeerId member = members.byAddress(target);
        if (member != null && routes.get().byMac(members.macOf(member)) == null) {
            ask(member);
        }
    }

    private synchronized void ask(PeerId member) {
        long now = nanoClock.getAsLong();
        Long last = asked.get(member);
        if (last != null && now - last < PER_MEMBER_GAP_MS * 1_000_000L) {
            return;
        }
        long s = now / 1_000_000_000L;
        if (s != second) {
            second = s;
            thisSecond = 0;
        }
        if (thisSecond >= PER_SECOND) {
            return;
        }
        thisSecond++;
        asked.remove(member);
        asked.put(member, now);
        if (asked.size() > 4096) {
            asked.remove(asked.keySet().iterator().next());
        }
        open.accept(member);
    }
}
