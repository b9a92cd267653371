package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The effects one {@link LinkMachine} event produces, in order. It stands in for the socket
 * ({@link ControlSender}), the rendezvous ({@link Signaling}) and the log ({@link #logger()}) where the rules
 * beside the machine would use them, so they say what to do instead of doing it.
 *
 * <p>Not thread-safe: one machine's, drained after each event.
 */
final class LinkOutbox implements ControlSender, Signaling, Consumer<LinkEffect> {
    private List<LinkEffect> effects = new ArrayList<>();
    private final Logger logger = new Logger();
    /** What the real socket can do, and the real rendezvous (asked whether one forwards now: shared state, no I/O). */
    private boolean limitsTtl;
    private Signaling rendezvous = Signaling.NONE;
    private ControlSender socket;

    /** Answers {@link #limitsTtl} and {@link #canForward} as {@code channel} and {@code signaling} would. */
    LinkOutbox backedBy(ControlSender channel, Signaling signaling) {
        this.limitsTtl = channel.limitsTtl();
        this.socket = channel;
        this.rendezvous = signaling;
        return this;
    }

    @Override
    public boolean limitsTtl() {
        return limitsTtl;
    }

    @Override
    public void sendLimited(ControlMessage message, Endpoint to, int ttl) {
        effects.add(new LinkEffect.SendLimited(message, to, ttl));
    }

    /** Recorded as {@link LinkEffect.SprayBirthday}; true: the driver decides whether it can. */
    @Override
    public boolean sprayBirthday(ControlMessage guess, InetAddress at, int[] ports) {
        effects.add(new LinkEffect.SprayBirthday(guess, at, ports));
        return true;
    }

    /** Recorded as {@link LinkEffect.ReleaseBirthday}. */
    @Override
    public void releaseBirthday(Endpoint to) {
        effects.add(new LinkEffect.ReleaseBirthday(to));
    }

    /** Asked of the real socket (shared state, no I/O). */
    @Override
    public boolean viaBirthday(Endpoint to) {
        return socket != null && socket.viaBirthday(to);
    }

    @Override
    public boolean canForward(PeerId peer) {
        return rendezvous.canForward(peer);
    }

    @Override
    public void accept(LinkEffect effect) {
        effects.add(effect);
    }

    @Override
    public void send(ControlMessage message, Endpoint to) {
        effects.add(new LinkEffect.Send(message, to));
    }

    @Override
    public void sendDtls(byte[] record, int remoteIndex, Endpoint to) {
        throw new UnsupportedOperationException("a link machine sends DTLS only through its handshake's driver");
    }

    @Override
    public void sendRaw(byte[] datagram, Endpoint to) {
        effects.add(new LinkEffect.SendRaw(datagram, to));
    }

    @Override
    public void forward(PeerId peer, Supplier<? extends Hello> hello) {
        effects.add(new LinkEffect.Forward(hello));
    }

    /** A logger whose lines become {@link LinkEffect.Log} effects (every level enabled: the driver's logger filters). */
    org.slf4j.Logger logger() {
        return logger;
    }

    /** A line for the log. */
    void log(Level level, String format, Object... args) {
        effects.add(new LinkEffect.Log(level, format, args));
    }

    /** The effects so far, in order; the outbox starts empty again. */
    List<LinkEffect> drain() {
        List<LinkEffect> out = effects;
        effects = new ArrayList<>();
        return out;
    }

    private final class Logger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
                                                   Throwable throwable) {
            effects.add(new LinkEffect.Log(level, format, args == null ? new Object[0] : args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
