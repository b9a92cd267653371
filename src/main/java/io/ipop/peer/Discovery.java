package io.ipop.peer;

import io.ipop.wire.PeerId;
import java.util.Objects;

/**
 * How a peer became known, which decides what may take its link away: the config ({@link #STATIC}, only a
 * reload removes it), the cluster directory ({@link #CLUSTER}), a {@code con_req} admitted from an unknown
 * node ({@link #INBOUND}, docs/nat.md), or a rendezvous's announcement ({@link Rendezvous}). Its
 * {@link #label()} is what {@code /overlay/links} shows as {@code discovered_by} and the log says.
 */
public sealed interface Discovery {

    /** {@code ipop.peers} in the config file. */
    Discovery STATIC = Source.STATIC;
    /** The cluster's peer records (docs/discovery.md). */
    Discovery CLUSTER = Source.CLUSTER;
    /** A node that asked for a link, admitted by {@code nat.accept-inbound}. */
    Discovery INBOUND = Source.INBOUND;
    /**
     * A member this node has no direct link to, linked on demand over the overlay (multi-hop, docs/architecture.md
     * "Overlay paths"): traffic for it, or its own link setup arriving over the overlay. Closed when idle.
     */
    Discovery OVERLAY = Source.OVERLAY;

    /** {@code static}, {@code cluster}, {@code inbound}, {@code overlay} or {@code rendezvous:NAME}. */
    String label();

    /** Announced, or passed on, by rendezvous node {@code via}. */
    static Discovery rendezvous(PeerId via) {
        return new Rendezvous(via);
    }

    /** A source without a node behind it. */
    enum Source implements Discovery {
        STATIC, CLUSTER, INBOUND, OVERLAY;

        @Override
        public String label() {
            return name().toLowerCase();
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /** Learned from rendezvous node {@code via}. */
    record Rendezvous(PeerId via) implements Discovery {
        public Rendezvous {
            Objects.requireNonNull(via, "via");
        }

        @Override
        public String label() {
            return "rendezvous:" + via;
        }

        @Override
        public String toString() {
            return label();
        }
    }
}
