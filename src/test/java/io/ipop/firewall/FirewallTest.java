package io.ipop.firewall;

import static io.ipop.frame.Frames.v4;
import static io.ipop.frame.Frames.v6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.FrameView;
import io.ipop.frame.Frames;
import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.MacAddress;
import io.ipop.route.FlowTable;
import io.ipop.route.LinkIdentity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rules on certified groups and names, first match wins, state for this node's own flows, ARP and ND always in. */
class FirewallTest {
    private static final long A = MacAddress.derivedFrom("a").bits();
    private static final LinkIdentity B = certified("b", "10.77.0.2", "blue");
    private static final LinkIdentity C = certified("c", "10.77.0.3", "red");
    private final FrameView v = new FrameView();
    private final FlowTable flows = new FlowTable(64, 1_000_000_000L);

    private static LinkIdentity certified(String name, String ip, String group) {
        return new LinkIdentity(name, MacAddress.derivedFrom(name).bits(), List.of(Ipv4Prefix.host(v4(ip))), List.of(), false,
                List.of(group), true);
    }

    private static FirewallRule rule(FirewallRule.Proto proto, int low, int high, Set<String> groups, Set<String> nodes) {
        return new FirewallRule(proto, low, high, groups, nodes, true);
    }

    private boolean admits(Firewall fw, LinkIdentity from, byte[] frame, long now) {
        assertTrue(v.parse(frame, 0, frame.length));
        return fw.admits(from, v, flows, now);
    }

    private static byte[] ping(LinkIdentity from, int type, int id) {
        return Frames.ipv4(A, from.mac(), from.ipv4().get(0).network(), v4("10.77.0.1"), 1, Frames.icmp(type, id));
    }

    private static byte[] tcp(LinkIdentity from, int dstPort) {
        return Frames.ipv4(A, from.mac(), from.ipv4().get(0).network(), v4("10.77.0.1"), 6, Frames.ports(40000, dstPort));
    }

    @Test
    void defaultDenyWithAnIcmpRuleForBlue() {
        Firewall fw = new Firewall(false, List.of(rule(FirewallRule.Proto.ICMP, -1, -1, Set.of("blue"), Set.of())));
        assertTrue(admits(fw, B, ping(B, 8, 1), 0));
        assertFalse(admits(fw, C, ping(C, 8, 1), 0));
        assertFalse(admits(fw, B, tcp(B, 22), 0));
        assertEquals(1, fw.hits(0));
        assertEquals(2, fw.defaultHits());
    }

    @Test
    void aTcpPortRuleLetsExactlyThatPortOrRangeIn() {
        Firewall fw = new Firewall(false, List.of(rule(FirewallRule.Proto.TCP, 5201, 5201, Set.of(), Set.of("c")),
                rule(FirewallRule.Proto.UDP, 8000, 8100, Set.of(), Set.of())));
        assertTrue(admits(fw, C, tcp(C, 5201), 0));
        assertFalse(admits(fw, C, tcp(C, 5202), 0));
        assertFalse(admits(fw, B, tcp(B, 5201), 0), "the rule names node c only");
        byte[] udp = Frames.ipv4(A, C.mac(), v4("10.77.0.3"), v4("10.77.0.1"), 17, Frames.ports(1, 8100));
        assertTrue(admits(fw, C, udp, 0));
    }

    @Test
    void groupsAndNamesMatchOnlyCertifiedPeers() {
        Firewall fw = new Firewall(false, List.of(rule(FirewallRule.Proto.ANY, -1, -1, Set.of("red"), Set.of("c"))));
        LinkIdentity claimsC = LinkIdentity.claimed("c", new MacAddress(C.mac()), v4("10.77.0.3"));
        assertTrue(admits(fw, C, ping(C, 8, 1), 0));
        assertFalse(admits(fw, claimsC, ping(claimsC, 8, 1), 0), "an uncertified peer naming itself c");
    }

    @Test
    void firstMatchWinsAndDenyRulesWork() {
        Firewall fw = new Firewall(true, List.of(
                new FirewallRule(FirewallRule.Proto.TCP, 22, 22, Set.of(), Set.of(), false),
                rule(FirewallRule.Proto.TCP, -1, -1, Set.of(), Set.of())));
        assertFalse(admits(fw, B, tcp(B, 22), 0));
        assertTrue(admits(fw, B, tcp(B, 80), 0));
    }

    @Test
    void repliesToThisNodesFlowsPassAndExpire() {
        Firewall fw = new Firewall(false, List.of());
        byte[] out = Frames.ipv4(B.mac(), A, v4("10.77.0.1"), v4("10.77.0.2"), 1, Frames.icmp(8, 77));
        assertTrue(v.parse(out, 0, out.length));
        flows.track(v, 0);
        assertTrue(admits(fw, B, ping(B, 0, 77), 500_000_000L), "the echo reply");
        assertFalse(admits(fw, B, ping(B, 0, 78), 500_000_000L), "another identifier");
        assertFalse(admits(fw, B, ping(B, 8, 77), 500_000_000L), "a request is no reply");
        assertFalse(admits(fw, B, ping(B, 0, 77), 2_000_000_000L), "after the timeout");
        byte[] tcpOut = Frames.ipv4(B.mac(), A, v4("10.77.0.1"), v4("10.77.0.2"), 6, Frames.ports(40001, 80));
        assertTrue(v.parse(tcpOut, 0, tcpOut.length));
        flows.track(v, 0);
        byte[] reply = Frames.ipv4(A, B.mac(), v4("10.77.0.2"), v4("10.77.0.1"), 6, Frames.ports(80, 40001));
        assertTrue(admits(fw, B, reply, 1));
        byte[] otherPort = Frames.ipv4(A, B.mac(), v4("10.77.0.2"), v4("10.77.0.1"), 6, Frames.ports(81, 40001));
        assertFalse(admits(fw, B, otherPort, 1));
    }

    @Test
    void arpNeighborDiscoveryAndLaterFragmentsAlwaysPass() {
        Firewall fw = new Firewall(false, List.of());
        assertTrue(admits(fw, C, Frames.arp(C.mac(), C.mac(), v4("10.77.0.3"), v4("10.77.0.1"), 1), 0));
        assertTrue(admits(fw, C, Frames.ipv6(A, C.mac(), v6("fe80::1"), v6("ff02::1"), 58,
                Frames.neighbor(FrameView.NEIGHBOR_ADVERTISEMENT, v6("fe80::1"), C.mac())), 0));
        byte[] later = tcp(C, 22);
        later[14 + 7] = 20;                              // fragment offset 20 * 8: its first fragment decides
        assertTrue(admits(fw, C, later, 0));
        assertFalse(admits(fw, C, tcp(C, 22), 0));
    }

    @Test
    void anOpenFirewallIsInactive() {
        assertFalse(Firewall.OPEN.active());
        assertTrue(new Firewall(true, List.of(rule(FirewallRule.Proto.ANY, -1, -1, Set.of(), Set.of()))).active());
        assertTrue(new Firewall(false, List.of()).active());
    }
}
