package io.ipop.management;

import io.ipop.counters.DataDrop;
import io.ipop.firewall.Firewall;
import io.ipop.node.NodeRuntime;
import io.ipop.peer.PeerLink;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /overlay/firewall}: the rules in force with how many frames each decided, the default's
 * count, and per link the frames the firewall refused and the flows tracked for replies.
 */
record FirewallView(String defaultAction, boolean active, List<RuleView> inbound, long defaultHits, List<LinkFlows> links) {

    record RuleView(int index, String rule, long hits) {
    }

    /** {@code flowTableFull}: flows this node started that could not be tracked (their replies meet the rules). */
    record LinkFlows(String peer, long refused, int flows, long flowTableFull) {
    }

    static FirewallView of(NodeRuntime.State s) {
        Firewall fw = s.firewall().get();
        List<RuleView> rules = new ArrayList<>();
        for (int i = 0; i < fw.rules().size(); i++) {
            rules.add(new RuleView(i, fw.rules().get(i).describe(), fw.hits(i)));
        }
        List<LinkFlows> links = new ArrayList<>();
        for (PeerLink l : s.links().all()) {
            links.add(new LinkFlows(l.peer().name(), l.counters().drops(DataDrop.FIREWALL.ordinal()), l.flows().size(), l.flows().full()));
        }
        return new FirewallView(fw.defaultAllow() ? "allow" : "deny", fw.active(), rules, fw.defaultHits(), links);
    }
}
