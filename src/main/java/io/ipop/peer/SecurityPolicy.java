package io.ipop.peer;

import io.ipop.frame.OverlayAddress;
import io.ipop.node.SecuritySettings;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Decides, for each link being set up, whether it must be secure. Every {@link PeerSession} asks it
 * once per verified hello. It holds the node's security settings and groups, so they are changed in
 * one place.
 */
public final class SecurityPolicy extends AbstractBehavior<SecurityPolicy.Command> {

    /** Messages the policy handles. */
    public sealed interface Command {
    }

    /**
     * Asks for this node's decision about a peer.
     *
     * @param verifiedGroups the groups of the peer's verified certificate; empty if it has none
     */
    public record Decide(String peer, OverlayAddress remote, List<String> verifiedGroups,
                         ActorRef<SecurityDecision> replyTo) implements Command {
    }

    private final SecuritySettings settings;
    private final List<String> groups;

    private SecurityPolicy(ActorContext<Command> context, SecuritySettings settings, List<String> groups) {
        super(context);
        this.settings = settings;
        this.groups = groups;
    }

    public static Behavior<Command> create(SecuritySettings settings, List<String> groups) {
        return Behaviors.setup(ctx -> new SecurityPolicy(ctx, settings, groups));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(Decide.class, this::onDecide).build();
    }

    private Behavior<Command> onDecide(Decide d) {
        SecurityDecision decision = SecurityDecision.decide(settings.mode(), groups, settings.securePeers(), d.remote(),
                d.verifiedGroups());
        getContext().getLog().debug("security for {}: {}", d.peer(), decision);
        d.replyTo().tell(decision);
        return this;
    }
}
