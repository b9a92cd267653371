package io.ipop.peer;

import io.ipop.route.Route;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.event.Level;

/**
 * What the {@link LinkMachine} asks its driver to do, in order. Data only: carrying an effect out is the
 * driver's business ({@link PeerSession} with Pekko timers, the policy actor, the socket and the DTLS
 * executor; a test with a virtual clock and lists). Each effect calls the one {@link Port} method that
 * carries it out, so a driver implements {@link Port} and writes no dispatch of its own.
 */
public sealed interface LinkEffect {

    /** Carries {@code this} out on {@code port}. */
    void to(Port port);

    /** How a driver carries effects out; one method per effect. */
    interface Port {
        void send(ControlMessage message, Endpoint to);

        void sendLimited(ControlMessage message, Endpoint to, int ttl);

        void sendRaw(byte[] datagram, Endpoint to);

        void forward(Supplier<? extends Hello> hello);

        void startTimer(LinkMachine.Timer timer, Duration delay, boolean repeat);

        void cancelTimer(LinkMachine.Timer timer);

        void askPolicy(Optional<PeerIdentity> verified, LinkMachine.Question question);

        void startHandshake(LinkHandshake.Run run);

        void feedHandshake(LinkHandshake.Run run, byte[] record);

        void cancelHandshake(LinkHandshake.Run run);

        void routed(Route route);

        void unrouted();

        void log(Level level, String format, Object[] args);

        void stop();

        /** Birthday probing, hard side: open the extra sockets toward {@code toward}; if they opened, send {@code signal}. */
        default void openBirthday(ControlMessage opener, Endpoint toward, Supplier<? extends Hello> signal) {
        }

        /** Birthday probing, easy side: {@code guess} to each of {@code ports} at {@code at}, at a bounded rate. */
        default void sprayBirthday(ControlMessage guess, InetAddress at, int[] ports) {
        }

        /** The link left {@code to}: the extra socket birthday probing found for it, if any, closes. */
        default void releaseBirthday(Endpoint to) {
        }
    }

    /**
     * Open birthday probing's extra sockets toward {@code toward}, sending {@code opener} from each (TTL-limited);
     * only if they opened, send {@code signal} through the rendezvous (docs/nat.md, "Birthday probing").
     */
    record OpenBirthday(ControlMessage opener, Endpoint toward, Supplier<? extends Hello> signal) implements LinkEffect {
        public void to(Port p) { p.openBirthday(opener, toward, signal); }
    }

    /** The link closed or moved off {@code to}: close the extra socket that carried it (birthday probing). */
    record ReleaseBirthday(Endpoint to) implements LinkEffect {
        public void to(Port p) { p.releaseBirthday(to); }
    }

    /** Send {@code guess} to each of {@code ports} at {@code at}, at the configured rate (birthday probing, easy side). */
    record SprayBirthday(ControlMessage guess, InetAddress at, int[] ports) implements LinkEffect {
        public void to(Port p) { p.sprayBirthday(guess, at, ports); }
    }

    /** Send a control message to {@code to} on the node's socket. */
    record Send(ControlMessage message, Endpoint to) implements LinkEffect {
        public void to(Port p) { p.send(message, to); }
    }

    /** Send a control message to {@code to} with an IP TTL of {@code ttl} (a NAT opener, docs/nat.md). */
    record SendLimited(ControlMessage message, Endpoint to, int ttl) implements LinkEffect {
        public void to(Port p) { p.sendLimited(message, to, ttl); }
    }

    /** Send a complete datagram (a sealed keepalive or key probe) to {@code to}. */
    record SendRaw(byte[] datagram, Endpoint to) implements LinkEffect {
        public void to(Port p) { p.sendRaw(datagram, to); }
    }

    /**
     * Send a hello through each rendezvous that forwards link setup ({@link Signaling#forward}). The hello is
     * built (and its nonce remembered by the machine) only if there is one: call {@code hello} at most once,
     * on the machine's thread, before the machine's next event.
     */
    record Forward(Supplier<? extends Hello> hello) implements LinkEffect {
        public void to(Port p) { p.forward(hello); }
    }

    /** Deliver {@link LinkEvent.Tick}({@code timer}) after {@code delay} (and every {@code delay} if {@code repeat}); replaces that timer. */
    record StartTimer(LinkMachine.Timer timer, Duration delay, boolean repeat) implements LinkEffect {
        public void to(Port p) { p.startTimer(timer, delay, repeat); }
    }

    /** No tick of {@code timer} is to arrive any more, not even one already due. */
    record CancelTimer(LinkMachine.Timer timer) implements LinkEffect {
        public void to(Port p) { p.cancelTimer(timer); }
    }

    /**
     * Ask the {@link SecurityPolicy} for this node's decision about the peer ({@code verified}: its verified
     * certificate, or empty); answer with {@link LinkEvent.Decided}({@code question}, decision).
     */
    record AskPolicy(Optional<PeerIdentity> verified, LinkMachine.Question question) implements LinkEffect {
        public void to(Port p) { p.askPolicy(verified, question); }
    }

    /** Start {@code run}'s DTLS handshake off the driver's thread; answer with {@link LinkEvent.HandshakeDone}. */
    record StartHandshake(LinkHandshake.Run run) implements LinkEffect {
        public void to(Port p) { p.startHandshake(run); }
    }

    /** Hand {@code record} to {@code run}'s handshake; one it does not take (over, full) is counted {@code dtls_ignored}. */
    record FeedHandshake(LinkHandshake.Run run, byte[] record) implements LinkEffect {
        public void to(Port p) { p.feedHandshake(run, record); }
    }

    /** Cancel {@code run}'s handshake (frees its thread); its result, if it still comes, is stale. */
    record CancelHandshake(LinkHandshake.Run run) implements LinkEffect {
        public void to(Port p) { p.cancelHandshake(run); }
    }

    /** The directory is to route the peer's frames over this link ({@code PeerDirectory.LinkUp}). */
    record Routed(Route route) implements LinkEffect {
        public void to(Port p) { p.routed(route); }
    }

    /** The directory is to route nothing over this link any more ({@code PeerDirectory.LinkDown}). */
    enum Unrouted implements LinkEffect {
        INSTANCE;

        public void to(Port p) { p.unrouted(); }
    }

    /** A line for the session's log (slf4j {@code format} with {@code args}). */
    record Log(Level level, String format, Object[] args) implements LinkEffect {
        public void to(Port p) { p.log(level, format, args); }
    }

    /** The session is over: stop it. */
    enum Stop implements LinkEffect {
        INSTANCE;

        public void to(Port p) { p.stop(); }
    }
}
