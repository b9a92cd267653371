package io.ipop.sim;

import io.ipop.topology.Ring;

/**
 * The directory's member set at one moment: the ring every node's topology chooses from (shared by all nodes,
 * as {@link Ring} allows) and the incarnation of each node's member (0: not a member). Immutable.
 */
record View(Ring ring, int[] incarnations) {

    /** The incarnation of node {@code i}'s member in this view, 0 if it is none. */
    int incarnation(int i) {
        return incarnations[i];
    }

    boolean isMember(int i) {
        return incarnations[i] != 0;
    }
}
