package io.ipop.peer;

import io.ipop.counters.DropCounters;
import io.ipop.secure.NodeIdentity;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every {@link PeerSession} of a node shares: who this node is, its timers and security, and the
 * parts it talks through. Immutable; the parts are thread-safe. A reload hands every session a
 * {@link #reconfigured} copy.
 *
 * @param dtlsExecutor runs the blocking DTLS handshakes (bounded: a full pool refuses a handshake,
 *                     which then fails and is retried with backoff)
 * @param signaling    sends link setup through a rendezvous (docs/nat.md)
 * @param channel      the node's socket ({@link ControlChannel}); in a {@link LinkMachine}'s copy
 *                     ({@link #sendingTo}) its list of effects
 * @param birthday     birthday probing's budget, and whether this node is behind a symmetric NAT (docs/nat.md)
 */
public record LinkContext(LocalNode self, LinkSettings link, SecuritySettings security, Optional<NodeIdentity> identity,
                          ControlSender channel, Hellos hellos, HelloCheck check,
                          ActorRef<SecurityPolicy.Command> policy, DropCounters counters, Executor dtlsExecutor,
                          Signaling signaling, Birthday birthday) {

    /** A context without birthday probing. */
    public LinkContext(LocalNode self, LinkSettings link, SecuritySettings security, Optional<NodeIdentity> identity,
                       ControlSender channel, Hellos hellos, HelloCheck check, ActorRef<SecurityPolicy.Command> policy,
                       DropCounters counters, Executor dtlsExecutor, Signaling signaling) {
        this(self, link, security, identity, channel, hellos, check, policy, counters, dtlsExecutor, signaling, Birthday.OFF);
    }

    /** A context of a node that forwards no link setup through a rendezvous. */
    public LinkContext(LocalNode self, LinkSettings link, SecuritySettings security, Optional<NodeIdentity> identity,
                       ControlSender channel, Hellos hellos, HelloCheck check, ActorRef<SecurityPolicy.Command> policy,
                       DropCounters counters, Executor dtlsExecutor) {
        this(self, link, security, identity, channel, hellos, check, policy, counters, dtlsExecutor, Signaling.NONE);
    }

    /** This context after a reload: who this node is now (groups), its security and certificate; same parts. */
    public LinkContext reconfigured(LocalNode newSelf, SecuritySettings newSecurity, HelloCheck newCheck) {
        return new LinkContext(newSelf, link, newSecurity, newSecurity.identity(), channel,
                hellos.reconfigured(newSelf, newSecurity.identity()), newCheck, policy, counters, dtlsExecutor,
                signaling, birthday);
    }

    /**
     * This context as a {@link LinkMachine} sees it: what would be sent, through the socket or a rendezvous,
     * goes to {@code out}; the policy and the DTLS executor are the driver's and absent here.
     */
    LinkContext sendingTo(LinkOutbox out) {
        out.backedBy(channel, signaling);
        return new LinkContext(self, link, security, identity, out, hellos, check, null, counters, null, out, birthday);
    }
}
