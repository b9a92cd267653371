package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.WireException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An underlay that only records what is sent, so a session's output can be inspected: control messages
 * decoded, DTLS records as they are (without our frame header).
 */
public final class RecordingUnderlay implements Underlay {
    public record Sent(ControlMessage message, Endpoint to) {
    }

    /** A DTLS record sent to {@code to} in a frame for the peer's {@code receiverIndex}. */
    public record Dtls(byte[] record, int receiverIndex, Endpoint to) {
    }

    /** A control message sent with an IP TTL of {@code ttl} ({@link #sendLimited}). */
    public record Limited(ControlMessage message, Endpoint to, int ttl) {
    }

    private final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Limited> limited = new LinkedBlockingQueue<>();
    private volatile boolean limits;
    private final LinkedBlockingQueue<Dtls> dtls = new LinkedBlockingQueue<>();
    private final ControlCodec codec = new ControlCodec();

    @Override
    public Endpoint localEndpoint() {
        return Endpoint.of(InetAddress.getLoopbackAddress(), 5800);
    }

    @Override
    public Received receive(byte[] buf) {
        return null;
    }

    @Override
    public Received receiveNow(byte[] buf) {
        return null;
    }

    @Override
    public void send(byte[] buf, int offset, int length, Endpoint to) {
        byte[] d = Arrays.copyOfRange(buf, offset, offset + length);
        try {
            if (FrameHeader.check(d, 0, d.length) == FrameType.DTLS) {
                dtls.add(new Dtls(Arrays.copyOfRange(d, FrameHeader.LENGTH, d.length), FrameHeader.receiverIndex(d, 0), to));
                return;
            }
            sent.add(new Sent(codec.decode(d, 0, d.length), to));
        } catch (WireException e) {
            throw new AssertionError("session sent an undecodable frame", e);
        }
    }

    /** From now on this underlay can limit a datagram's TTL (as {@code UdpUnderlay} can); by default it cannot. */
    public RecordingUnderlay limitingTtl() {
        limits = true;
        return this;
    }

    @Override
    public boolean limitsTtl() {
        return limits;
    }

    @Override
    public boolean sendLimited(byte[] buf, int offset, int length, Endpoint to, int ttl) {
        if (!limits) {
            return false;
        }
        try {
            limited.add(new Limited(codec.decode(Arrays.copyOfRange(buf, offset, offset + length), 0, length), to, ttl));
        } catch (WireException e) {
            throw new AssertionError("session sent an undecodable frame", e);
        }
        return true;
    }

    /** Everything sent with a limited TTL so far, oldest first; clears that record. */
    public List<Limited> drainLimited() {
        List<Limited> out = new ArrayList<>();
        limited.drainTo(out);
        return out;
    }

    /** Everything sent so far, oldest first; clears the record. */
    public List<Sent> drain() {
        List<Sent> out = new ArrayList<>();
        sent.drainTo(out);
        return out;
    }

    /** Messages of one type sent so far (clears the record). */
    public <T extends ControlMessage> List<T> drain(Class<T> type) {
        return drain().stream().map(Sent::message).filter(type::isInstance).map(type::cast).toList();
    }

    /** The next DTLS record sent, waiting up to {@code timeout} for it; null if none came. */
    public Dtls nextDtls(Duration timeout) throws InterruptedException {
        return dtls.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next DTLS record sent, or null if none is waiting. */
    public Dtls pollDtls() {
        return dtls.poll();
    }

    @Override
    public void close() {
    }
}
