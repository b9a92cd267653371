package io.ipop.sim;

import io.ipop.topology.Ring;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The directory as an oracle: what Pekko Cluster and its peer records tell a real node (docs/discovery.md),
 * reduced to the member set and two delays. A started node is a member {@code joinDelay} after its start; a
 * killed one stops being a member {@code deathDelay} after its death (the failure detector's
 * {@code acceptable-heartbeat-pause}, 3 s, plus the split brain resolver's {@code stable-after}, 10 s, plus a
 * gossip round: 14 s, src/main/resources/ipop-pekko.conf), unless a new incarnation of it joined before (then
 * the record of the restart replaces it, as in the real directory). Changes are published as one {@link View}
 * per {@code gossipInterval} (Distributed Data's gossip interval, 1 s), and each node hears a view a random
 * 0–{@code gossipInterval} after it is published.
 */
final class Directory {
    private final Simulation sim;
    private final long joinDelay;
    private final long deathDelay;
    private final long gossipInterval;
    private final SplittableRandom random;
    private final int[] incarnations;
    private View view;
    private boolean publishing;
    /** Views published so far. */
    int published;

    Directory(Simulation sim, long joinDelay, long deathDelay, long gossipInterval, SplittableRandom random) {
        this.sim = sim;
        this.joinDelay = joinDelay;
        this.deathDelay = deathDelay;
        this.gossipInterval = gossipInterval;
        this.random = random;
        this.incarnations = new int[sim.nodes.length];
        this.view = new View(Ring.empty(), incarnations.clone());
    }

    /** The members as the directory has them now (what a node checks an unknown sender against). */
    View view() {
        return view;
    }

    /** Node {@code i} started its incarnation {@code incarnation}: a member after the join delay. */
    void started(int i, int incarnation) {
        sim.scheduler.after(joinDelay, new Change(i, incarnation, true));
    }

    /** Node {@code i}'s incarnation {@code incarnation} died: not a member after the death delay. */
    void died(int i, int incarnation) {
        sim.scheduler.after(deathDelay, new Change(i, incarnation, false));
    }

    private void changed() {
        if (!publishing) {
            publishing = true;
            long next = (sim.scheduler.now() / gossipInterval + 1) * gossipInterval;
            sim.scheduler.at(next, new Publish());
        }
    }

    private final class Change extends Scheduler.Event {
        private final int node;
        private final int incarnation;
        private final boolean join;

        Change(int node, int incarnation, boolean join) {
            this.node = node;
            this.incarnation = incarnation;
            this.join = join;
        }

        @Override
        void run() {
            if (join && incarnations[node] < incarnation) {
                incarnations[node] = incarnation;
                changed();
            } else if (!join && incarnations[node] == incarnation) {
                incarnations[node] = 0;
                changed();
            }
        }
    }

    private final class Publish extends Scheduler.Event {
        @Override
        void run() {
            publishing = false;
            List<PeerId> members = new ArrayList<>();
            for (int i = 0; i < incarnations.length; i++) {
                if (incarnations[i] != 0) {
                    members.add(sim.nodes[i].id);
                }
            }
            View next = new View(Ring.of(members), incarnations.clone());
            view = next;
            published++;
            for (SimNode n : sim.nodes) {
                if (next.isMember(n.index)) {
                    sim.scheduler.after(random.nextLong(gossipInterval), new Heard(n, next));
                }
            }
        }
    }

    private static final class Heard extends Scheduler.Event {
        private final SimNode node;
        private final View view;

        Heard(SimNode node, View view) {
            this.node = node;
            this.view = view;
        }

        @Override
        void run() {
            node.onView(view);
        }
    }
}
