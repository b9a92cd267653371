package io.ipop.node;

import io.ipop.config.ConfigProblem;
import io.ipop.discovery.StaticPeers;
import io.ipop.firewall.Firewall;
import io.ipop.peer.Discovery;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.LinkContext;
import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerDirectory;
import io.ipop.peer.SecurityPolicy;
import io.ipop.peer.SecuritySettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Live reload ({@code SIGHUP}, {@code POST /overlay/reload}). Reload flow:
 * 1. re-read the config file and the certificates it names, off the actors' threads;
 * 2. validate it whole ({@link NodeSettings}) and refuse any change the running node cannot apply
 *    ({@link ReloadPlan}): a refused reload changes nothing and says why in one line;
 * 3. update the {@link SecurityPolicy}, and only once it has answered
 * 4. hand the directory the new link context and peer list: new peers are linked, removed ones
 *    unlinked, and each linked session whose own security decision flips sets its link up again;
 * 5. publish the new settings to {@link NodeRuntime} (the management API) and apply the log level.
 * The TAP device, the socket and the data-plane graphs are never touched. One reload at a time.
 */
public final class ConfigReloader extends AbstractBehavior<ConfigReloader.Command> {

    /** Messages the reloader handles. */
    public sealed interface Command {
    }

    /** Re-read the config file and apply it; the answer says what changed or why nothing did. */
    public record Reload(ActorRef<ReloadResult> replyTo) implements Command {
    }

    private record Loaded(NodeSettings settings, Throwable failure, ActorRef<ReloadResult> replyTo) implements Command {
    }

    private record PolicyUpdated(NodeSettings settings, ReloadPlan plan, LinkContext context, Throwable failure,
                                 ActorRef<ReloadResult> replyTo) implements Command {
    }

    private static final Duration POLICY_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<NodeSettings> source;
    private final ActorRef<PeerDirectory.Command> directory;
    private final NodeRuntime runtime;
    private final Executor blocking;
    private final Consumer<Firewall> firewall;
    private NodeSettings running;
    private LinkContext linkContext;
    private boolean busy;

    private ConfigReloader(ActorContext<Command> context, Supplier<NodeSettings> source, NodeSettings running,
                           LinkContext linkContext, ActorRef<PeerDirectory.Command> directory, Consumer<Firewall> firewall) {
        super(context);
        this.firewall = firewall;
        this.source = source;
        this.running = running;
        this.linkContext = linkContext;
        this.directory = directory;
        this.runtime = NodeRuntime.get(context.getSystem());
        this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }

    /**
     * @param source reads and validates the node's config file (throws {@link ConfigProblem} or a Typesafe
     *               {@code ConfigException} for a bad one)
     * @param firewall takes the new firewall when its rules changed (the data plane reads it per frame)
     */
    public static Behavior<Command> create(Supplier<NodeSettings> source, NodeSettings running, LinkContext linkContext,
                                           ActorRef<PeerDirectory.Command> directory, Consumer<Firewall> firewall) {
        return Behaviors.setup(ctx -> new ConfigReloader(ctx, source, running, linkContext, directory, firewall));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Reload.class, this::onReload)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(PolicyUpdated.class, this::onPolicyUpdated)
                .build();
    }

    private Behavior<Command> onReload(Reload r) {
        if (busy) {
            r.replyTo().tell(ReloadResult.refused("a reload is already running"));
            return this;
        }
        busy = true;
        getContext().getLog().info("reloading the config");
        getContext().pipeToSelf(CompletableFuture.supplyAsync(source, blocking),
                (settings, failure) -> new Loaded(settings, failure, r.replyTo()));
        return this;
    }

    private Behavior<Command> onLoaded(Loaded l) {
        if (l.failure() != null) {
            return refuse(l.replyTo(), "config error: " + message(l.failure()));
        }
        NodeSettings next = l.settings();
        ReloadPlan plan;
        try {
            plan = ReloadPlan.between(running, next);
        } catch (ConfigProblem e) {
            return refuse(l.replyTo(), e.getMessage());
        }
        if (plan.isEmpty()) {
            busy = false;
            getContext().getLog().info("reload: no change");
            l.replyTo().tell(new ReloadResult(true, plan.summary()));
            return this;
        }
        SecuritySettings security = next.security();
        LocalNode self = linkContext.self().withGroups(next.groups());
        HelloCheck check = linkContext.check().reconfigured(self, security.identity(),
                security.identity().isPresent(), security.helloMaxAge()).withRevocations(security.revoked());
        LinkContext context = linkContext.reconfigured(self, security, check);
        getContext().ask(Done.class, linkContext.policy(), POLICY_TIMEOUT,
                replyTo -> new SecurityPolicy.Update(security, next.groups(), replyTo),
                (done, failure) -> new PolicyUpdated(next, plan, context, failure, l.replyTo()));
        return this;
    }

    private Behavior<Command> onPolicyUpdated(PolicyUpdated p) {
        if (p.failure() != null) {
            return refuse(p.replyTo(), "the security policy did not take the new settings: " + message(p.failure()));
        }
        NodeSettings next = p.settings();
        directory.tell(new PeerDirectory.Reconfigure(p.context(), Discovery.STATIC, StaticPeers.found(next.peers())));
        LogLevel.apply(next.logLevel());
        if (!next.firewall().equals(running.firewall())) {
            firewall.accept(next.firewall().build());   // the links and their flow tables stay
        }
        running = next;
        linkContext = p.context();
        runtime.reloaded(p.context().self(), next);
        busy = false;
        getContext().getLog().info("reload applied: {}", p.plan().summary());
        p.replyTo().tell(new ReloadResult(true, p.plan().summary()));
        return this;
    }

    private Behavior<Command> refuse(ActorRef<ReloadResult> replyTo, String why) {
        busy = false;
        getContext().getLog().warn("reload refused, keeping the running config: {}", why);
        replyTo.tell(ReloadResult.refused(why));
        return this;
    }

    private static String message(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replace('\n', ' ');
    }
}
