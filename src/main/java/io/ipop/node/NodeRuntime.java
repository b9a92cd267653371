package io.ipop.node;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.peer.Links;
import io.ipop.peer.LocalNode;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What a running node exposes to the management API, attached to its ActorSystem. Filled in by
 * {@link NodeGuardian} once the data plane runs; until then {@link #state()} is {@code null} and the
 * node is not ready.
 */
public final class NodeRuntime implements Extension {

    /** The node's live state, all thread-safe to read. */
    public record State(LocalNode node, NodeSettings settings, Links links, DataplaneCounters counters) {
    }

    private static final ExtensionId<NodeRuntime> ID = new ExtensionId<>() {
        @Override
        public NodeRuntime createExtension(ActorSystem<?> system) {
            return new NodeRuntime();
        }
    };

    private volatile State state;

    public static NodeRuntime get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    void started(State s) {
        this.state = s;
    }

    /** The running node, or {@code null} while it starts. */
    public State state() {
        return state;
    }
}
