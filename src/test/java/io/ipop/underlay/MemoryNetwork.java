package io.ipop.underlay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory UDP network for tests: any number of {@link Underlay}s that deliver datagrams to each
 * other by endpoint, with optional random loss. Datagrams to an unknown endpoint vanish, as on a real
 * network. Real code, not a mock: the whole node runs over it.
 */
public final class MemoryNetwork {
    private final Map<Endpoint, Socket> sockets = new ConcurrentHashMap<>();
    private final Random random;
    private volatile double lossRate;
    private volatile Observer observer = (from, to, datagram) -> { };

    /** Sees every datagram sent on the network (before loss), like a capture on the wire. */
    @FunctionalInterface
    public interface Observer {
        void sent(Endpoint from, Endpoint to, byte[] datagram);
    }

    public void setObserver(Observer observer) {
        this.observer = observer;
    }

    public MemoryNetwork(long seed) {
        this.random = new Random(seed);
    }

    /** Drops each datagram with this probability from now on. */
    public void setLossRate(double lossRate) {
        this.lossRate = lossRate;
    }

    /** Opens a socket at {@code ip:port}. */
    public Underlay bind(String ip, int port) {
        try {
            Endpoint ep = Endpoint.of(InetAddress.getByName(ip), port);
            Socket s = new Socket(ep);
            if (sockets.putIfAbsent(ep, s) != null) {
                throw new IllegalStateException("address in use: " + ep);
            }
            return s;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private boolean lose() {
        double rate = lossRate;
        if (rate <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    private record Datagram(Endpoint from, byte[] data) {
    }

    private final class Socket implements Underlay {
        private final Endpoint local;
        private final BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(4096);
        private final AtomicBoolean closed = new AtomicBoolean();

        Socket(Endpoint local) {
            this.local = local;
        }

        @Override
        public Endpoint localEndpoint() {
            return local;
        }

        @Override
        public Received receive(byte[] buf) {
            try {
                while (!closed.get()) {
                    Datagram d = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (d != null) {
                        int n = Math.min(buf.length, d.data.length);
                        System.arraycopy(d.data, 0, buf, 0, n);
                        return new Received(d.from, n);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }

        @Override
        public Received receiveNow(byte[] buf) {
            Datagram d = closed.get() ? null : queue.poll();
            if (d == null) {
                return null;
            }
            int n = Math.min(buf.length, d.data.length);
            System.arraycopy(d.data, 0, buf, 0, n);
            return new Received(d.from, n);
        }

        @Override
        public void send(byte[] buf, int offset, int length, Endpoint to) {
            if (closed.get()) {
                return;
            }
            byte[] copy = new byte[length];
            System.arraycopy(buf, offset, copy, 0, length);
            observer.sent(local, to, copy);
            Socket target = sockets.get(to);
            if (target == null || lose()) {
                return;
            }
            target.queue.offer(new Datagram(local, copy));
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                sockets.remove(local, this);
            }
        }
    }
}
