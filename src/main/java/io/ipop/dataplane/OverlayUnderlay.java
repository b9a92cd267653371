package io.ipop.dataplane;

import io.ipop.counters.DataDrop;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.util.List;

/**
 * The node's socket as every sender sees it (control channel, DTLS, data path): a datagram to an overlay
 * path's endpoint ({@link OverlayPaths}) leaves wrapped in FORWARD toward its node ({@link Forwarding#originate});
 * everything else goes to the socket as it is. Receiving is the socket's. Thread-safe as the socket is.
 */
public final class OverlayUnderlay implements Underlay {
    private final Underlay socket;
    private final Forwarding forwarding;
    private final DataplaneCounters counters;

    public OverlayUnderlay(Underlay socket, Forwarding forwarding, DataplaneCounters counters) {
        this.socket = socket;
        this.forwarding = forwarding;
        this.counters = counters;
    }

    @Override
    public Endpoint localEndpoint() {
        return socket.localEndpoint();
    }

    @Override
    public Received receive(byte[] buf) throws IOException {
        return socket.receive(buf);
    }

    @Override
    public Received receiveNow(byte[] buf) throws IOException {
        return socket.receiveNow(buf);
    }

    /** To an overlay path: wrapped and sent to the next hop; a datagram that cannot go is counted, as UDP drops. */
    @Override
    public void send(byte[] buf, int offset, int length, Endpoint to) throws IOException {
        if (!OverlayPaths.isOverlay(to)) {
            socket.send(buf, offset, length, to);
            return;
        }
        PeerId peer = forwarding.paths().peerAt(to);
        if (peer == null) {
            counters.drop(DataDrop.FORWARD_UNKNOWN_PATH);
            return;
        }
        forwarding.originate(peer, buf, offset, length);
    }

    @Override
    public int sendSegments(List<byte[]> datagrams, int from, int to, Endpoint dest) {
        if (!OverlayPaths.isOverlay(dest)) {
            return socket.sendSegments(datagrams, from, to, dest);
        }
        PeerId peer = forwarding.paths().peerAt(dest);
        if (peer == null) {
            counters.drop(DataDrop.FORWARD_UNKNOWN_PATH);
            return 0;
        }
        for (int i = from; i < to; i++) {
            byte[] d = datagrams.get(i);
            if (!forwarding.originate(peer, d, 0, d.length)) {
                return i - from;
            }
        }
        return to - from;
    }

    @Override
    public boolean openBirthday(Endpoint toward, byte[] opener, int[] ttls) {
        return !OverlayPaths.isOverlay(toward) && socket.openBirthday(toward, opener, ttls);
    }

    @Override
    public boolean sprayBirthday(byte[] datagram, java.net.InetAddress at, int[] ports) {
        return socket.sprayBirthday(datagram, at, ports);
    }

    @Override
    public void releaseBirthday(Endpoint to) {
        socket.releaseBirthday(to);
    }

    @Override
    public boolean viaBirthday(Endpoint to) {
        return socket.viaBirthday(to);
    }

    @Override
    public java.util.Optional<io.ipop.underlay.BirthdaySockets.Counts> birthdayCounts() {
        return socket.birthdayCounts();
    }

    /** An overlay path has no IP TTL of its own to limit: nothing is sent there. */
    @Override
    public boolean sendLimited(byte[] buf, int offset, int length, Endpoint to, int ttl) throws IOException {
        return !OverlayPaths.isOverlay(to) && socket.sendLimited(buf, offset, length, to, ttl);
    }

    @Override
    public boolean limitsTtl() {
        return socket.limitsTtl();
    }

    @Override
    public void close() {
        socket.close();
    }
}
