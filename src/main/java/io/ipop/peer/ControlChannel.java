package io.ipop.peer;

import io.ipop.underlay.BirthdaySockets;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the control plane sends: encodes a control message and sends it on the node's one socket.
 * Control traffic is a few datagrams a second per link, so it bypasses the outbound stream.
 * Thread-safe. A failed send is logged, never thrown: the link's retry and keepalive logic recovers.
 */
public final class ControlChannel implements ControlSender {
    private static final Logger log = LoggerFactory.getLogger(ControlChannel.class);
    private final Underlay underlay;
    private final ControlCodec codec;

    public ControlChannel(Underlay underlay, ControlCodec codec) {
        this.underlay = underlay;
        this.codec = codec;
    }

    @Override
    public void send(ControlMessage message, Endpoint to) {
        sendRaw(codec.encode(message), to);
    }

    @Override
    public boolean limitsTtl() {
        return underlay.limitsTtl();
    }

    @Override
    public void sendLimited(ControlMessage message, Endpoint to, int ttl) {
        byte[] datagram = codec.encode(message);
        try {
            underlay.sendLimited(datagram, 0, datagram.length, to, ttl);
        } catch (IOException e) {
            log.debug("sending a TTL-limited control datagram to {} failed: {}", to, e.getMessage());
        }
    }

    @Override
    public boolean openBirthday(ControlMessage opener, Endpoint toward) {
        return underlay.openBirthday(toward, codec.encode(opener), Probes.OPENER_TTLS);
    }

    @Override
    public boolean sprayBirthday(ControlMessage guess, InetAddress at, int[] ports) {
        return underlay.sprayBirthday(codec.encode(guess), at, ports);
    }

    @Override
    public void releaseBirthday(Endpoint to) {
        underlay.releaseBirthday(to);
    }

    @Override
    public boolean viaBirthday(Endpoint to) {
        return underlay.viaBirthday(to);
    }

    /** What birthday probing did on this node's socket; empty if it has no extra sockets. */
    public Optional<BirthdaySockets.Counts> birthdayCounts() {
        return underlay.birthdayCounts();
    }

    /** Sends DTLS record bytes in a {@link FrameType#DTLS} frame carrying the peer's receiver index. */
    @Override
    public void sendDtls(byte[] record, int remoteIndex, Endpoint to) {
        byte[] frame = new byte[FrameHeader.LENGTH + record.length];
        FrameHeader.write(frame, 0, FrameType.DTLS, remoteIndex);
        System.arraycopy(record, 0, frame, FrameHeader.LENGTH, record.length);
        sendRaw(frame, to);
    }

    /** Sends a complete datagram (e.g. a sealed keepalive). */
    @Override
    public void sendRaw(byte[] datagram, Endpoint to) {
        try {
            underlay.send(datagram, 0, datagram.length, to);
        } catch (IOException e) {
            log.debug("sending a control datagram to {} failed: {}", to, e.getMessage());
        }
    }
}
