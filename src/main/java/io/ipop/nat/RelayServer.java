package io.ipop.nat;

import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay: for each relayed pair of nodes (a, b) two UDP ports, {@code Pa} given to a and
 * {@code Pb} given to b. A datagram a sends to {@code Pa} leaves from {@code Pb} toward b, and the
 * other way round, byte for byte: the relay never parses, decrypts or holds keys of the link it carries,
 * so a secure link stays end-to-end (the relay only counts the frame types by their first byte).
 *
 * <pre>
 *   a ──▶ relay:Pa ══ forwarded unchanged ══▶ relay:Pb ──▶ b        (and back)
 * </pre>
 *
 * Latching: the relay knows each end's IP address from its link with it, not the port its NAT maps
 * toward {@code Pa} (a symmetric NAT picks a new one per destination). The first datagram to
 * {@code Pa} from a's IP fixes ("latches") a's endpoint, address <em>and</em> port; later datagrams from any
 * other address or port are dropped ({@code refused}) — another host behind a's NAT (or one that spoofs a's
 * IP) cannot take the path over. Only once the latched endpoint has been silent for {@link #RELATCH_MILLIS}
 * (the NAT's mapping changed) may a datagram from a's IP and another port latch again.
 * What arrives before the other end has latched is dropped ({@code unlatched}); both ends keep sending.
 *
 * <p>One thread serves every allocation through a selector. At most {@code max} pairs, and at most
 * {@link #MAX_PER_REQUESTER} that one node asked for; refused requests are counted ({@link #refusals}). A
 * pair idle for {@link #IDLE_MILLIS} is closed. Thread-safe.
 */
public final class RelayServer implements Closeable {
    /**
     * A relayed pair silent this long is closed. A constant: it has to outlast the keepalives of the links using
     * it ({@code link.keepalive-interval} of the two nodes, 1s by default), which the relay cannot know.
     */
    static final long IDLE_MILLIS = 120_000;
    /** A latched endpoint silent this long may be replaced by another port of the same IP. */
    static final long RELATCH_MILLIS = 5_000;
    /** Relayed pairs one node may have asked for at once. */
    public static final int MAX_PER_REQUESTER = 16;
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    private static final int MAX_DATAGRAM = 65_536;

    /** What was forwarded, by the first byte of the datagram. */
    public enum Kind { CONTROL, DTLS, DATA, SECURE_DATA, FORWARD, OTHER, REFUSED, UNLATCHED }

    /** One relayed pair, as the management API shows it. */
    public record PairView(String a, String b, int portA, int portB, String latchedA, String latchedB,
                           Map<String, Long> datagrams, long bytes) {
    }

    private final InetAddress bind;
    private final int max;
    private final Map<String, Allocation> pairs = new ConcurrentHashMap<>();
    private final Queue<Allocation> toRegister = new ConcurrentLinkedQueue<>();
    private final Selector selector;
    private final Thread thread;
    private final AtomicLong refusedFull = new AtomicLong();
    private final AtomicLong refusedPerRequester = new AtomicLong();
    private volatile boolean open = true;

    public RelayServer(InetAddress bind, int max) throws IOException {
        this.bind = bind;
        this.max = max;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "ipop-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The pair for nodes {@code a} (the requester) and {@code b} (in either order), made if new.
     *
     * @return the port {@code a} sends to, then the one {@code b} sends to; empty (and counted) if {@code max}
     *         pairs exist, or {@code a} asked for {@link #MAX_PER_REQUESTER} already
     */
    public synchronized int[] allocate(PeerId peerA, InetAddress ipA, PeerId peerB, InetAddress ipB) throws IOException {
        String a = peerA.name();
        String b = peerB.name();
        boolean swap = a.compareTo(b) > 0;
        String key = swap ? b + "\n" + a : a + "\n" + b;
        Allocation p = pairs.get(key);
        if (p == null) {
            if (pairs.size() >= max) {
                refusedFull.incrementAndGet();
                return new int[0];
            }
            if (pairs.values().stream().filter(q -> q.requester.equals(a)).count() >= MAX_PER_REQUESTER) {
                refusedPerRequester.incrementAndGet();
                return new int[0];
            }
            p = swap ? new Allocation(b, ipB, a, ipA, a) : new Allocation(a, ipA, b, ipB, a);
            pairs.put(key, p);
            toRegister.add(p);
            selector.wakeup();
            log.info("relaying between {} ({}) and {} ({}) on ports {} and {}", p.nameA, p.ipA.getHostAddress(),
                    p.nameB, p.ipB.getHostAddress(), p.portA, p.portB);
        } else {
            // a node may come back from another address (restart behind another NAT mapping): follow it
            p.ipA = swap ? ipB : ipA;
            p.ipB = swap ? ipA : ipB;
        }
        return swap ? new int[] {p.portB, p.portA} : new int[] {p.portA, p.portB};
    }

    /** Relay requests refused: {@code full} (at {@code relay-max}), {@code per_requester} (at {@link #MAX_PER_REQUESTER}). */
    public Map<String, Long> refusals() {
        return Map.of("full", refusedFull.get(), "per_requester", refusedPerRequester.get());
    }

    public List<PairView> views() {
        List<PairView> out = new ArrayList<>();
        for (Allocation p : pairs.values()) {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (Kind k : Kind.values()) {
                counts.put(k.name().toLowerCase(), p.counts.get(k.ordinal()));
            }
            out.add(new PairView(p.nameA, p.nameB, p.portA, p.portB, text(p.latchedA), text(p.latchedB), counts,
                    p.bytes.get(0)));
        }
        out.sort(java.util.Comparator.comparing(PairView::a).thenComparing(PairView::b));
        return out;
    }

    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pairs.values().forEach(Allocation::close);
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        long lastSweep = System.currentTimeMillis();
        while (open) {
            try {
                Allocation p;
                while ((p = toRegister.poll()) != null) {
                    p.chA.register(selector, SelectionKey.OP_READ, new Side(p, true));
                    p.chB.register(selector, SelectionKey.OP_READ, new Side(p, false));
                }
                selector.select(200);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid() && k.isReadable()) {
                        drain((Side) k.attachment(), buf);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.currentTimeMillis();
                if (now - lastSweep > 1000) {
                    lastSweep = now;
                    sweep(now);
                }
            } catch (IOException | RuntimeException e) {
                if (open) {
                    log.warn("relay loop: {}", e.toString());
                }
            }
        }
    }

    private record Side(Allocation pair, boolean isA) {
    }

    /** Forwards what waits on one side's socket, at most 64 datagrams before the others get their turn. */
    private void drain(Side side, ByteBuffer buf) throws IOException {
        Allocation p = side.pair();
        DatagramChannel in = side.isA() ? p.chA : p.chB;
        DatagramChannel out = side.isA() ? p.chB : p.chA;
        for (int n = 0; n < 64; n++) {
            buf.clear();
            InetSocketAddress from = (InetSocketAddress) in.receive(buf);
            if (from == null) {
                return;
            }
            buf.flip();
            InetAddress expected = side.isA() ? p.ipA : p.ipB;
            InetSocketAddress latched = side.isA() ? p.latchedA : p.latchedB;
            long now = System.currentTimeMillis();
            if (!from.equals(latched)) {
                long heard = side.isA() ? p.heardA : p.heardB;
                if (!from.getAddress().equals(expected) || (latched != null && now - heard < RELATCH_MILLIS)) {
                    p.count(Kind.REFUSED, 0);
                    continue;
                }
                if (side.isA()) {
                    p.latchedA = from;
                } else {
                    p.latchedB = from;
                }
            }
            if (side.isA()) {
                p.heardA = now;
            } else {
                p.heardB = now;
            }
            InetSocketAddress to = side.isA() ? p.latchedB : p.latchedA;
            if (to == null) {
                p.count(Kind.UNLATCHED, 0);
                continue;
            }
            int length = buf.remaining();
            FrameType type = length == 0 ? null : FrameType.of(buf.get(0));
            p.count(type == null ? Kind.OTHER : Kind.valueOf(type.name()), length);
            out.send(buf, to);
            p.lastActivity = System.currentTimeMillis();
        }
    }

    private synchronized void sweep(long now) {
        pairs.entrySet().removeIf(e -> {
            Allocation p = e.getValue();
            if (now - p.lastActivity > IDLE_MILLIS) {
                log.info("relay between {} and {} idle: closed", p.nameA, p.nameB);
                p.close();
                return true;
            }
            return false;
        });
    }

    private static String text(InetSocketAddress a) {
        return a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** One relayed pair: the two sockets and what each end is known by. */
    private final class Allocation {
        final String nameA;
        final String nameB;
        volatile InetAddress ipA;
        volatile InetAddress ipB;
        final DatagramChannel chA;
        final DatagramChannel chB;
        final int portA;
        final int portB;
        volatile InetSocketAddress latchedA;
        volatile InetSocketAddress latchedB;
        /** When each latched end was last heard from (the relay thread's clock). */
        volatile long heardA;
        volatile long heardB;
        /** The node whose relay_req made the pair. */
        final String requester;
        volatile long lastActivity = System.currentTimeMillis();
        final AtomicLongArray counts = new AtomicLongArray(Kind.values().length);
        final AtomicLongArray bytes = new AtomicLongArray(1);

        Allocation(String nameA, InetAddress ipA, String nameB, InetAddress ipB, String requester) throws IOException {
            this.requester = requester;
            this.nameA = nameA;
            this.ipA = ipA;
            this.nameB = nameB;
            this.ipB = ipB;
            this.chA = open();
            try {
                this.chB = open();
            } catch (IOException e) {
                chA.close();
                throw e;
            }
            this.portA = ((InetSocketAddress) chA.getLocalAddress()).getPort();
            this.portB = ((InetSocketAddress) chB.getLocalAddress()).getPort();
        }

        private DatagramChannel open() throws IOException {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(bind, 0));
            ch.configureBlocking(false);
            return ch;
        }

        void count(Kind kind, int length) {
            counts.incrementAndGet(kind.ordinal());
            bytes.addAndGet(0, length);
        }

        void close() {
            try {
                chA.close();
            } catch (IOException e) {
                // closing a datagram channel has nothing to flush
            }
            try {
                chB.close();
            } catch (IOException e) {
                // as above
            }
        }
    }
}
