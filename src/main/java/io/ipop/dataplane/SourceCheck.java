package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.counters.Drop;
import io.ipop.frame.FrameView;
import io.ipop.route.LinkIdentity;

/**
 * Invariant 1 of docs/security.md: a frame on a peer's link speaks only as that peer. Given a frame whose
 * source MAC is already known to be the peer's, checks what it says inside against the peer's
 * {@link LinkIdentity}:
 * <ol>
 *   <li>ARP (RFC 826): the sender MAC is the peer's; the sender IP is one it may use (or 0.0.0.0, an
 *       RFC 5227 probe);</li>
 *   <li>IPv4: the source is one the peer may use (or 0.0.0.0);</li>
 *   <li>IPv6: the source is one the peer may use (certified, or link-local and not another MAC's EUI-64),
 *       or :: (duplicate address detection); router advertisements and redirects (RFC 4861 4.2, 4.5)
 *       only from a certified router; a neighbor advertisement only for an address the peer may use, and
 *       any link-layer address option in an advertisement or solicitation is the peer's MAC;</li>
 *   <li>anything else: the MAC check was all there is to check.</li>
 * </ol>
 * Stateless; the {@link FrameView} passed in is the caller's.
 */
final class SourceCheck {
    private SourceCheck() {
    }

    /** Parses {@code frame} into {@code view} and checks it; the reason to drop it, or {@code null} to let it pass. */
    static Drop check(LinkIdentity peer, FrameView view, byte[] frame, int offset, int length) {
        if (!view.parse(frame, offset, length)) {
            return DataDrop.MALFORMED_FRAME;
        }
        return switch (view.kind) {
            case ARP -> view.arpSenderMac == peer.mac() && (view.arpSenderIp == 0 || peer.mayUse(view.arpSenderIp))
                    ? null : DataDrop.SPOOFED_ARP;
            case IPV4 -> view.v4Src == 0 || peer.mayUse(view.v4Src) ? null : DataDrop.SPOOFED_SOURCE;
            case IPV6 -> ipv6(peer, view);
            case OTHER -> null;
        };
    }

    private static Drop ipv6(LinkIdentity peer, FrameView v) {
        boolean unspecified = v.v6SrcHi == 0 && v.v6SrcLo == 0;
        if (!unspecified && !peer.mayUse(v.v6SrcHi, v.v6SrcLo)) {
            return DataDrop.SPOOFED_SOURCE;
        }
        if (v.protocol != FrameView.PROTO_ICMPV6 || !v.firstFragment) {
            return null;
        }
        return switch (v.icmpType) {
            case FrameView.ROUTER_ADVERTISEMENT, FrameView.REDIRECT -> peer.router() ? null : DataDrop.NOT_A_ROUTER;
            case FrameView.NEIGHBOR_ADVERTISEMENT -> peer.mayUse(v.ndTargetHi, v.ndTargetLo) && linkLayerIsPeers(peer, v)
                    ? null : DataDrop.SPOOFED_NEIGHBOR;
            case FrameView.NEIGHBOR_SOLICITATION -> linkLayerIsPeers(peer, v) ? null : DataDrop.SPOOFED_NEIGHBOR;
            default -> null;
        };
    }

    private static boolean linkLayerIsPeers(LinkIdentity peer, FrameView v) {
        return v.ndLinkLayer == -1 || v.ndLinkLayer == peer.mac();
    }
}
