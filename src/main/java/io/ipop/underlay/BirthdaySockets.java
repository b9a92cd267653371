package io.ipop.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra sockets of birthday probing (docs/nat.md, "Birthday probing"), beside the node's one underlay socket.
 *
 * <p>Hard side (behind a symmetric NAT), {@link #open}: a pool of sockets, each sending a TTL-limited opener toward
 * the easy side's public endpoint (its NAT maps each to a new random port, and the opener dies before the easy
 * side's NAT). Only datagrams from that endpoint are taken on them; the first one makes its socket the
 * <em>winner</em> for that endpoint, and the others close at once. From then on everything the node sends to that
 * endpoint leaves through the winner ({@link #channelFor}: a map consulted only while it is not empty), and what
 * the winner receives from it enters the normal receive path as if it had come on the underlay socket
 * ({@link #poll}). A pool without a winner closes after {@code socket-life}; a winner when its link closes or moves
 * ({@link #release}), or once nothing has arrived on it for {@code winner-idle}.
 *
 * <p>Easy side, {@link #spray}: one request to many ports of the hard side's address, from the underlay socket, at
 * {@code guess-rate} a second at most.
 *
 * <p>At most one pool and {@value #MAX_SPRAYS} sprays at a time; every socket opened and closed, hit, refusal and
 * stray datagram is counted ({@link #counts}). Thread-safety: {@link #poll} from the receiving thread only (it
 * selects on the underlay's selector); everything else from any thread.
 */
public final class BirthdaySockets {
    static final int MAX_SPRAYS = 8;
    private static final long PACE_MILLIS = 10;
    private static final InetAddress ANY = new InetSocketAddress("0.0.0.0", 0).getAddress();
    private static final Logger log = LoggerFactory.getLogger(BirthdaySockets.class);

    /** What was done so far. */
    public record Counts(long attempts, long refused, long socketsOpened, long socketsClosed, long hits, long expired,
                         long stray, long sprays, long guessesSent, int openSockets) {
    }

    /** Sends one datagram on the underlay socket (the easy side's guesses). */
    @FunctionalInterface
    interface Sender {
        void send(byte[] buf, int offset, int length, Endpoint to) throws IOException;
    }

    /** One extra socket, and the only endpoint it takes datagrams from. */
    private record Slot(DatagramChannel channel, Endpoint peer) {
    }

    private final InetAddress bind;
    private final Selector selector;
    private final BirthdaySettings settings;
    private final ScheduledExecutorService timer;
    private final Map<Endpoint, Winner> winners = new ConcurrentHashMap<>();
    private final AtomicInteger sprays = new AtomicInteger();
    private final Object lock = new Object();
    /** The open pool (guarded by {@link #lock}), or null. */
    private List<Slot> pool;
    private long poolOpenedNanos;
    /** The expiry tick (guarded by {@link #lock}): it runs only while a pool or a winner is open. */
    private ScheduledFuture<?> expiry;
    private volatile boolean active;
    private volatile boolean closed;
    private long attempts;
    private long refused;
    private long opened;
    private long closedCount;
    private long hits;
    private long expired;
    private volatile long stray;
    private long sprayCount;
    private long guessesSent;

    private static final class Winner {
        final Slot slot;
        volatile long lastHeardNanos = System.nanoTime();

        Winner(Slot slot) {
            this.slot = slot;
        }
    }

    BirthdaySockets(InetAddress bind, Selector selector, BirthdaySettings settings) {
        this.bind = bind;
        this.selector = selector;
        this.settings = settings;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "birthday-sockets");
            t.setDaemon(true);
            return t;
        });
    }

    BirthdaySettings settings() {
        return settings;
    }

    /** True while the expiry tick is scheduled (tests: it must not wake the node while nothing is open). */
    boolean ticking() {
        synchronized (lock) {
            return expiry != null;
        }
    }

    /** True while a pool or a winner is open: {@link #poll} has something to read. */
    boolean active() {
        return active;
    }

    /**
     * Opens {@code hard-sockets} sockets and sends {@code opener} from each toward {@code toward}, once per TTL of
     * {@code ttls} (each passes this host's NATs and dies before the peer's). False, counted, if a pool is open
     * already, a winner carries {@code toward}, or the TTL cannot be set (an opener at full TTL could reach the
     * peer's NAT first and spoil its state).
     */
    boolean open(Endpoint toward, byte[] opener, int[] ttls) {
        synchronized (lock) {
            attempts++;
            if (closed || pool != null || winners.containsKey(toward)
                    || !(toward.address().getAddress() instanceof Inet4Address)) {
                refused++;
                return false;
            }
            List<Slot> slots = new ArrayList<>(settings.hardSockets());
            try {
                for (int i = 0; i < settings.hardSockets(); i++) {
                    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);   // IP_TTL applies
                    opened++;
                    Slot slot = new Slot(ch, toward);
                    slots.add(slot);
                    ch.bind(new InetSocketAddress(bind instanceof Inet4Address ? bind : ANY, 0));
                    ch.configureBlocking(false);
                    for (int ttl : ttls) {
                        if (!UdpOffload.setTtl(ch, ttl)) {
                            throw new IOException("cannot set a socket's IP TTL");
                        }
                        ch.send(ByteBuffer.wrap(opener), toward.address());
                    }
                    UdpOffload.setTtl(ch, -1);                     // the route's default again, should it win
                    ch.register(selector, SelectionKey.OP_READ, slot);
                }
            } catch (IOException e) {
                log.info("birthday probing toward {}: cannot open its sockets: {}", toward, e.getMessage());
                closeAll(slots);
                refused++;
                return false;
            }
            pool = slots;
            poolOpenedNanos = System.nanoTime();
            active = true;
            if (expiry == null) {                                  // no wake-up a second while nothing is open
                try {
                    expiry = timer.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException e) {           // closed meanwhile: close() closes the pool
                    log.debug("birthday probing: closed while opening a pool");
                }
            }
        }
        selector.wakeup();                                         // the receiving thread selects on them too
        return true;
    }

    /** The socket that carries the link to {@code to}, or null for the underlay socket. */
    DatagramChannel channelFor(Endpoint to) {
        if (winners.isEmpty()) {
            return null;
        }
        Winner w = winners.get(to);
        return w == null ? null : w.slot.channel();
    }

    /** True if a socket found by birthday probing carries the traffic to {@code to}. */
    boolean carries(Endpoint to) {
        return !winners.isEmpty() && winners.containsKey(to);
    }

    /**
     * A datagram waiting on an extra socket, from the endpoint that socket takes, copied into {@code buf}; null if
     * none. Datagrams from any other sender are dropped and counted ({@code stray}). Receiving thread only.
     */
    Underlay.Received poll(byte[] buf) throws IOException {
        if (!active) {
            return null;
        }
        selector.selectNow();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        Underlay.Received got = null;
        while (keys.hasNext() && got == null) {
            SelectionKey key = keys.next();
            keys.remove();
            if (key.attachment() instanceof Slot slot) {
                got = receive(slot, buf);
            }
        }
        return got;
    }

    private Underlay.Received receive(Slot slot, byte[] buf) {
        ByteBuffer wrap = ByteBuffer.wrap(buf);
        while (true) {
            SocketAddress from;
            try {
                from = slot.channel().receive(wrap);
            } catch (ClosedChannelException e) {
                return null;                                       // closed as a loser, or expired
            } catch (IOException e) {
                return null;
            }
            if (from == null) {
                return null;
            }
            Endpoint sender = new Endpoint((InetSocketAddress) from);
            if (!sender.equals(slot.peer())) {
                stray++;                                           // only the expected peer's datagrams get in
                wrap.clear();
                continue;
            }
            Winner w = winners.get(sender);
            if (w == null || w.slot != slot) {
                if (!win(slot)) {
                    stray++;                                       // a late guess on a socket that lost
                    wrap.clear();
                    continue;
                }
                w = winners.get(sender);
            }
            w.lastHeardNanos = System.nanoTime();
            return new Underlay.Received(sender, wrap.position());
        }
    }

    /** {@code slot} got the first datagram from its peer: it carries the link, the rest of its pool closes now. */
    private boolean win(Slot slot) {
        synchronized (lock) {
            if (pool == null || !pool.contains(slot)) {
                return false;
            }
            hits++;
            winners.put(slot.peer(), new Winner(slot));
            List<Slot> losers = new ArrayList<>(pool);
            losers.remove(slot);
            closeAll(losers);
            pool = null;
        }
        log.info("birthday probing: a guess reached this node on {} from {}; the link to it runs over that socket",
                slot.channel().socket().getLocalPort(), slot.peer());
        return true;
    }

    /**
     * Sends {@code datagram} to each of {@code ports} at {@code at} through {@code sender}, {@code guess-rate} a
     * second at most, from a timer thread. False, counted, if {@value #MAX_SPRAYS} sprays are running.
     */
    boolean spray(Sender sender, byte[] datagram, InetAddress at, int[] ports) {
        if (closed || sprays.incrementAndGet() > MAX_SPRAYS) {
            sprays.decrementAndGet();
            synchronized (lock) {
                refused++;
            }
            return false;
        }
        synchronized (lock) {
            sprayCount++;
        }
        int perTick = Math.max(1, (int) (settings.guessRate() * PACE_MILLIS / 1000));
        sprayFrom(sender, datagram, at, ports, 0, perTick);
        return true;
    }

    private void sprayFrom(Sender sender, byte[] datagram, InetAddress at, int[] ports, int from, int perTick) {
        int end = Math.min(ports.length, from + perTick);
        int sent = 0;
        for (int i = from; i < end && !closed; i++) {
            try {
                sender.send(datagram, 0, datagram.length, Endpoint.of(at, ports[i]));
                sent++;
            } catch (IOException e) {
                log.debug("birthday guess to {}:{} not sent: {}", at.getHostAddress(), ports[i], e.getMessage());
            }
        }
        synchronized (lock) {
            guessesSent += sent;
        }
        if (end < ports.length && !closed) {
            timer.schedule(() -> sprayFrom(sender, datagram, at, ports, end, perTick), PACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            sprays.decrementAndGet();
        }
    }

    /** The link to {@code to} closed or moved: the socket that carried it closes now. */
    void release(Endpoint to) {
        synchronized (lock) {
            Winner w = winners.remove(to);
            if (w != null) {
                closeAll(List.of(w.slot));
            }
            active = pool != null || !winners.isEmpty();
        }
    }

    /** Closes a pool past {@code socket-life} and winners idle for {@code winner-idle}. */
    void expire() {
        long now = System.nanoTime();
        synchronized (lock) {
            if (pool != null && now - poolOpenedNanos > settings.socketLife().toNanos()) {
                expired++;
                closeAll(pool);
                pool = null;
            }
            winners.values().removeIf(w -> {
                boolean idle = now - w.lastHeardNanos > settings.winnerIdle().toNanos();
                if (idle) {
                    closeAll(List.of(w.slot));
                }
                return idle;
            });
            active = pool != null || !winners.isEmpty();
            if (!active && expiry != null) {
                expiry.cancel(false);
                expiry = null;
            }
        }
    }

    /** Closes every extra socket and stops the timer. */
    void close() {
        closed = true;
        timer.shutdownNow();
        synchronized (lock) {
            if (pool != null) {
                closeAll(pool);
                pool = null;
            }
            winners.values().forEach(w -> closeAll(List.of(w.slot)));
            winners.clear();
            active = false;
        }
    }

    public Counts counts() {
        synchronized (lock) {
            int open = (pool == null ? 0 : pool.size()) + winners.size();
            return new Counts(attempts, refused, opened, closedCount, hits, expired, stray, sprayCount, guessesSent, open);
        }
    }

    private void closeAll(List<Slot> slots) {
        for (Slot s : slots) {
            try {
                s.channel().close();
            } catch (IOException e) {
                // a datagram socket has nothing to flush
            }
            closedCount++;
        }
    }
}
