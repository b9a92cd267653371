package io.ipop.sim;

import io.ipop.peer.ControlSender;
import io.ipop.peer.LinkMachine;
import io.ipop.peer.SimulatedLink;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The underlay of the simulation: node {@code i} listens at {@code 100.64.0.0/10 + i}, port 5800, and a
 * datagram reaches the node at its destination after a latency of 1–20 ms fixed per pair of nodes (no loss, no
 * reordering within a pair); one sent to a dead node is lost. Messages travel as the link machine's
 * {@link ControlMessage} objects: the wire codec is not what the simulation measures. Every datagram a node sends
 * is counted ({@link #sent}), including the NAT openers and raw datagrams no simulated node receives.
 */
final class SimNetwork {
    /** The socket of a simulated node's link context: a machine sends through its effects, never through this. */
    static final ControlSender NO_SOCKET = new ControlSender() {
        @Override
        public void send(ControlMessage message, Endpoint to) {
            throw new IllegalStateException("a simulated link sends through its effects");
        }

        @Override
        public void sendDtls(byte[] record, int remoteIndex, Endpoint to) {
            throw new IllegalStateException("a simulated link sends through its effects");
        }

        @Override
        public void sendRaw(byte[] datagram, Endpoint to) {
            throw new IllegalStateException("a simulated link sends through its effects");
        }
    };

    private static final int PORT = 5800;
    private static final int BASE = 0x64400000;            // 100.64.0.0

    private final Simulation sim;
    /** Datagrams sent by all nodes so far. */
    long sent;

    SimNetwork(Simulation sim) {
        this.sim = sim;
    }

    static Endpoint endpointOf(int index) {
        int a = BASE + index;
        try {
            return Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                    (byte) a}), PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node listening at {@code e}, or -1. */
    static int indexAt(Endpoint e) {
        byte[] b = e.address().getAddress().getAddress();
        int a = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        return e.address().getPort() == PORT ? a - BASE : -1;
    }

    /** One-way latency between nodes {@code a} and {@code b}: 1–20 ms, the same both ways. */
    static long latencyNanos(int a, int b) {
        long x = (long) Math.min(a, b) * 0x9E3779B97F4A7C15L + Math.max(a, b);
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (1 + Math.floorMod(x, 20)) * Scheduler.MILLI;
    }

    /** {@code from} sends {@code m} to {@code to}; {@code m} null: a datagram nobody here receives (counted only). */
    void send(SimNode from, ControlMessage m, Endpoint to) {
        sent++;
        if (m == null || to == null) {
            return;
        }
        int i = indexAt(to);
        if (i < 0 || i >= sim.nodes.length) {
            return;
        }
        sim.scheduler.after(latencyNanos(from.index, i), new Delivery(sim.nodes[i], from.endpoint, m));
    }

    /** A datagram arriving at a node; lost if its process is dead then. */
    private static final class Delivery extends Scheduler.Event {
        private final SimNode to;
        private final Endpoint from;
        private final ControlMessage message;

        Delivery(SimNode to, Endpoint from, ControlMessage message) {
            this.to = to;
            this.from = from;
            this.message = message;
        }

        @Override
        void run() {
            if (to.alive) {
                to.receive(from, message);
            }
        }
    }

    /** A link machine's timer; repeats every {@code period} ns (0: once) until its generation moves on. */
    static final class Tick extends Scheduler.Event {
        private final SimNode node;
        private final SimulatedLink link;
        private final LinkMachine.Timer timer;
        private final int generation;
        private final long period;

        Tick(SimNode node, SimulatedLink link, LinkMachine.Timer timer, long period) {
            this.node = node;
            this.link = link;
            this.timer = timer;
            this.generation = link.generation(timer);
            this.period = period;
        }

        @Override
        void run() {
            if (link.generation(timer) != generation) {
                return;
            }
            if (period > 0) {
                node.scheduler().after(period, this);
            }
            node.tick(link, timer);
        }
    }
}
