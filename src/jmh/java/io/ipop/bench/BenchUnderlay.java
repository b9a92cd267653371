package io.ipop.bench;

import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;

/**
 * An in-memory underlay for the graph benchmarks. {@link #receive} serves datagrams from a ring as
 * fast as it is called (copying each into the caller's buffer, as the socket does), paced by an inbound
 * {@link Gate}; {@link #send} only counts, on an outbound gate. The ring can be replaced between
 * invocations (fresh sealed datagrams for a secure link).
 */
final class BenchUnderlay implements Underlay {
    private final Endpoint local = Fixtures.endpoint(200);
    private final Gate receiveGate;
    private final Gate sendGate;
    private final Received[] received;
    private volatile byte[][] ring;
    private int next;

    /** @param from the sender of every datagram served */
    BenchUnderlay(Endpoint from, byte[][] ring, Gate receiveGate, Gate sendGate) {
        this.receiveGate = receiveGate;
        this.sendGate = sendGate;
        this.received = new Received[Fixtures.DATAGRAM + 64];
        for (int i = 0; i < received.length; i++) {
            received[i] = new Received(from, i);
        }
        this.ring = ring;
    }

    /** Serves {@code ring} from its start from now on; call only while the source is waiting at the gate. */
    void replaceRing(byte[][] newRing) {
        next = 0;
        ring = newRing;
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public Received receive(byte[] buf) {
        return receiveGate.enter() ? next(buf) : null;
    }

    @Override
    public Received receiveNow(byte[] buf) {
        return receiveGate.enterNow() > 0 ? next(buf) : null;
    }

    private Received next(byte[] buf) {
        byte[][] r = ring;
        byte[] d = r[next];
        next = next + 1 == r.length ? 0 : next + 1;
        System.arraycopy(d, 0, buf, 0, d.length);
        return received[d.length];
    }

    @Override
    public void send(byte[] buf, int offset, int length, Endpoint to) {
        sendGate.left();
    }

    @Override
    public void close() {
        receiveGate.close();
    }
}
