package io.ipop.peer;

import io.ipop.secure.PeerIdentity;
import io.ipop.wire.PeerId;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Decides, for each link being set up, whether it must be secure. Every {@link PeerSession} asks it
 * once per verified hello, and again after a reload. It holds the node's security settings and groups,
 * so they are changed in one place ({@link Update}).
 */
public final class SecurityPolicy extends AbstractBehavior<SecurityPolicy.Command> {

    /** Messages the policy handles. */
    public sealed interface Command {
    }

    /**
     * Asks for this node's decision about a peer.
     *
     * @param verified the peer's verified certificate; empty if it has none (what its hello claims never counts)
     */
    public record Decide(PeerId peer, Optional<PeerIdentity> verified, ActorRef<SecurityDecision> replyTo)
            implements Command {
    }

    /** A reload changed the settings or groups; decisions asked after the reply use the new ones. */
    public record Update(SecuritySettings settings, List<String> groups, ActorRef<Done> replyTo) implements Command {
    }

    private SecuritySettings settings;
    private List<String> groups;

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
        return newReceiveBuilder()
                .onMessage(Decide.class, this::onDecide)
                .onMessage(Update.class, this::onUpdate)
                .build();
    }

    private Behavior<Command> onDecide(Decide d) {
        SecurityDecision decision = SecurityDecision.decide(settings.mode(), groups, settings.securePeers(), d.verified());
        getContext().getLog().debug("security for {}: {}", d.peer(), decision);
        d.replyTo().tell(decision);
        return this;
    }

    private Behavior<Command> onUpdate(Update u) {
        settings = u.settings();
        groups = List.copyOf(u.groups());
        getContext().getLog().debug("security policy now {} with groups {}", settings.mode(), groups);
        u.replyTo().tell(Done.getInstance());
        return this;
    }
}
