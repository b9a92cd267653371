package io.ipop.peer;

import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.util.List;

/**
 * What happens to a link, fed to {@link LinkMachine#handle} with the time it happened at. Data only.
 */
public sealed interface LinkEvent {

    /** The session begins: the first {@code con_req}s go out. Fed once, first. */
    enum Start implements LinkEvent { INSTANCE }

    /** A control message from the peer (it came from {@code from}). */
    record Control(Endpoint from, ControlMessage message) implements LinkEvent {
    }

    /** A DTLS record that carried this link's receiver index. */
    record Dtls(Endpoint from, byte[] record) implements LinkEvent {
    }

    /** A timer the machine started ({@link LinkEffect.StartTimer}) is due. */
    record Tick(LinkMachine.Timer timer) implements LinkEvent {
    }

    /** The policy's answer to {@link LinkEffect.AskPolicy} about {@code question}. */
    record Decided(LinkMachine.Question question, SecurityDecision decision) implements LinkEvent {
    }

    /** {@code run}'s handshake is over: {@code keys} if it succeeded, else {@code failure}. */
    record HandshakeDone(LinkHandshake.Run run, SessionKeys keys, Throwable failure) implements LinkEvent {
    }

    /**
     * A reload: the node's identity, groups and security are now {@code context}'s (the policy already knows),
     * the peer's configured endpoint {@code endpoint} ({@code null}: unchanged).
     */
    record Reconfigure(LinkContext context, Endpoint endpoint) implements LinkEvent {
    }

    /** NAT traversal found {@code direct} candidates and, if not null, {@code relay} on relay node {@code via}. */
    record CandidatesLearned(List<Endpoint> direct, Endpoint relay, PeerId via) implements LinkEvent {
    }

    /** The peer's hello, forwarded by rendezvous {@code via}: signaling only. */
    record Signaled(Hello hello, PeerId via) implements LinkEvent {
    }

    /** The directory could not route the link ({@code reason}): set it up again. */
    record Unroutable(String reason) implements LinkEvent {
    }

    /** Say {@code close} with {@code reason} to the peer if up, then stop (shutdown, peer removed). */
    record Close(String reason) implements LinkEvent {
    }

    /** The session is being restarted by its supervisor: cancel the handshake, unroute the link. */
    enum Restarting implements LinkEvent { INSTANCE }

    /**
     * An overlay session's traffic earned it a direct link (on demand, {@code topology.on-demand}): probe the
     * peer's direct candidates and move there once one answers.
     */
    enum DirectWanted implements LinkEvent { INSTANCE }
}
