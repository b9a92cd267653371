package io.ipop.firewall;

import io.ipop.frame.FrameView;
import io.ipop.route.FlowTable;
import io.ipop.route.LinkIdentity;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The inbound group firewall ({@code ipop.firewall}), checked for every frame a peer sends after its
 * identity was checked:
 * <ol>
 *   <li>ARP and IPv6 neighbor discovery (ICMPv6 133-137) always pass: without them nothing works;</li>
 *   <li>a non-first fragment passes: it was checked for identity, and without its first fragment, which
 *       the rules judge, it is never reassembled;</li>
 *   <li>a reply to a flow this node started over the link passes ({@link FlowTable});</li>
 *   <li>the first rule that matches decides; none: the default.</li>
 * </ol>
 * Immutable apart from the hit counters (lock-free); a reload makes a new one, the flow tables stay.
 * Thread-safe.
 */
public final class Firewall {
    /** No rules, default allow: every frame passes and no flow is tracked. */
    public static final Firewall OPEN = new Firewall(true, List.of());

    private final boolean defaultAllow;
    private final FirewallRule[] rules;
    private final AtomicLongArray hits;
    private final AtomicLongArray defaults = new AtomicLongArray(1);

    public Firewall(boolean defaultAllow, List<FirewallRule> rules) {
        this.defaultAllow = defaultAllow;
        this.rules = rules.toArray(new FirewallRule[0]);
        this.hits = new AtomicLongArray(this.rules.length);
    }

    /** False when every frame passes anyway: then no frame needs parsing for it and no flow tracking. */
    public boolean active() {
        return !(defaultAllow && rules.length == 0);
    }

    /** True if the frame in {@code v} (parsed, from {@code peer}, over a link whose flows are {@code flows}) may enter. */
    public boolean admits(LinkIdentity peer, FrameView v, FlowTable flows, long now) {
        if (v.kind == FrameView.Kind.ARP || isNeighborDiscovery(v) || !v.firstFragment) {
            return true;
        }
        if ((v.kind == FrameView.Kind.IPV4 || v.kind == FrameView.Kind.IPV6) && flows.isReply(v, now)) {
            return true;
        }
        for (int i = 0; i < rules.length; i++) {
            if (rules[i].matches(peer, v)) {
                hits.incrementAndGet(i);
                return rules[i].allow();
            }
        }
        defaults.incrementAndGet(0);
        return defaultAllow;
    }

    private static boolean isNeighborDiscovery(FrameView v) {
        return v.kind == FrameView.Kind.IPV6 && v.protocol == FrameView.PROTO_ICMPV6 && v.icmpType >= 133 && v.icmpType <= 137;
    }

    public boolean defaultAllow() {
        return defaultAllow;
    }

    public List<FirewallRule> rules() {
        return List.of(rules);
    }

    /** Frames rule {@code i} decided. */
    public long hits(int i) {
        return hits.get(i);
    }

    /** Frames no rule matched (decided by the default). */
    public long defaultHits() {
        return defaults.get(0);
    }
}
