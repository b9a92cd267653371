package io.ipop.firewall;

import io.ipop.frame.FrameView;
import io.ipop.route.LinkIdentity;
import java.util.List;
import java.util.Set;

/**
 * One inbound rule: which frames ({@code proto}, destination {@code port} range), from which peers (any of
 * {@code groups}, any of {@code nodes}; both empty: every peer), and whether to let them in. Groups and
 * names are matched against the peer's certificate only; an uncertified peer matches only rules that
 * name neither. Immutable.
 *
 * @param portLow  first destination port, or -1 for any (then {@code portHigh} is -1 too)
 */
public record FirewallRule(Proto proto, int portLow, int portHigh, Set<String> groups, Set<String> nodes, boolean allow) {

    /** What a rule matches: {@code any} is every frame, the others IPv4 or IPv6 packets of that protocol. */
    public enum Proto {
        ANY, ICMP, TCP, UDP;

        boolean matches(FrameView v) {
            return switch (this) {
                case ANY -> true;
                case ICMP -> v.kind != FrameView.Kind.OTHER && v.kind != FrameView.Kind.ARP
                        && (v.protocol == FrameView.PROTO_ICMP || v.protocol == FrameView.PROTO_ICMPV6);
                case TCP -> isIp(v) && v.protocol == FrameView.PROTO_TCP;
                case UDP -> isIp(v) && v.protocol == FrameView.PROTO_UDP;
            };
        }

        private static boolean isIp(FrameView v) {
            return v.kind == FrameView.Kind.IPV4 || v.kind == FrameView.Kind.IPV6;
        }
    }

    public FirewallRule {
        groups = Set.copyOf(groups);
        nodes = Set.copyOf(nodes);
        if (portLow != -1 && (proto != Proto.TCP && proto != Proto.UDP)) {
            throw new IllegalArgumentException("a port needs proto = tcp or udp");
        }
        if (portLow < -1 || portLow > 65535 || portHigh < portLow || portHigh > 65535 || (portLow == -1) != (portHigh == -1)) {
            throw new IllegalArgumentException("bad port range " + portLow + "-" + portHigh);
        }
    }

    /** True if this rule speaks about the frame in {@code v} from {@code peer}. */
    boolean matches(LinkIdentity peer, FrameView v) {
        if (!proto.matches(v)) {
            return false;
        }
        if (portLow != -1 && (!v.hasPorts || v.dstPort < portLow || v.dstPort > portHigh)) {
            return false;
        }
        if (groups.isEmpty() && nodes.isEmpty()) {
            return true;
        }
        if (!peer.certified()) {
            return false;
        }
        if (nodes.contains(peer.name())) {
            return true;
        }
        List<String> peerGroups = peer.groups();
        for (String g : peerGroups) {
            if (groups.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /** As written in the config, for {@code /overlay/firewall}. */
    public String describe() {
        StringBuilder b = new StringBuilder(allow ? "allow " : "deny ").append(proto.name().toLowerCase());
        if (portLow != -1) {
            b.append(" port ").append(portLow == portHigh ? Integer.toString(portLow) : portLow + "-" + portHigh);
        }
        if (!groups.isEmpty()) {
            b.append(" groups ").append(groups.stream().sorted().toList());
        }
        if (!nodes.isEmpty()) {
            b.append(" nodes ").append(nodes.stream().sorted().toList());
        }
        return b.toString();
    }
}
