package io.ipop.management;

import io.ipop.node.NodeRuntime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Readiness check behind {@code /ready}: true once the node runs, i.e. the TAP is up, the socket bound
 * and the data plane started (the node opens both before its ActorSystem exists).
 */
public final class DataplaneReadiness implements Supplier<CompletionStage<Boolean>> {
    private final NodeRuntime runtime;

    public DataplaneReadiness(ActorSystem system) {
        this.runtime = NodeRuntime.get(Adapter.toTyped(system));
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(runtime.state() != null);
    }
}
