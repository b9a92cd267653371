package io.ipop.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real underlay: one non-blocking {@link DatagramChannel}. A blocking {@link #receive} waits on a
 * selector (used by the receiving thread only), so the rest of a burst is read with
 * {@link #receiveNow} without further waiting. A send that finds the socket buffer full retries for
 * up to {@value #SEND_RETRY_MICROS} µs, then fails (the caller counts the drop), as a blocking UDP
 * socket would have waited.
 */
public final class UdpUnderlay implements Underlay {
    private static final long SEND_RETRY_MICROS = 2000;
    /** Only a safety net: {@link #close} closes the selector, which wakes a receiver waiting in it (200 ms cost an idle node 5 wake-ups a second); birthday probing's extra sockets select on it too. */
    private static final long SELECT_MILLIS = 5000;
    private static final int EXTRA_POLL_EVERY = 16;
    private static final Logger log = LoggerFactory.getLogger(UdpUnderlay.class);

    private final DatagramChannel channel;
    private final Selector readable;
    private final Endpoint local;
    private final ThreadLocal<ByteBuffer> receiveWrap = new ThreadLocal<>();
    /** The socket's offloads; null if off or unavailable. */
    private final UdpOffload offloads;
    /** Segmented sends; null if off, unavailable, or given up after the kernel refused them. */
    private volatile UdpOffload segmented;
    /** Coalesced receives through {@link #offloads}; false if off or the kernel lacks UDP_GRO. */
    private final boolean coalesced;
    /** The descriptor's own calls for {@link #sendLimited} (also with the offloads off); null if unreachable. */
    private final UdpOffload calls;
    /** Birthday probing's extra sockets ({@link #enableBirthday}); null while off. */
    private volatile BirthdaySockets birthday;
    /** Receives since the extra sockets were last polled while the underlay socket kept having datagrams. */
    private int sinceExtraPoll;

    private UdpUnderlay(DatagramChannel channel, Selector readable, Endpoint local, boolean offload) {
        this.channel = channel;
        this.readable = readable;
        this.local = local;
        this.offloads = offload ? UdpOffload.open(channel) : null;
        this.segmented = offloads;
        this.coalesced = offloads != null && offloads.coalesceReceived();
        this.calls = offloads != null ? offloads : UdpOffload.open(channel);
    }

    /**
     * Binds the socket.
     *
     * @param socketBuffer SO_RCVBUF/SO_SNDBUF in bytes (the kernel may cap it at net.core.*mem_max)
     * @throws IOException with the address in the message if the bind fails
     */
    public static UdpUnderlay bind(InetSocketAddress address, int socketBuffer) throws IOException {
        return bind(address, socketBuffer, true);
    }

    /**
     * Like {@link #bind(InetSocketAddress, int)}; {@code offload}: segmented sends and coalesced receives
     * ({@link UdpOffload}) where the kernel has them.
     */
    public static UdpUnderlay bind(InetSocketAddress address, int socketBuffer, boolean offload) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
            ch.bind(address);
            ch.configureBlocking(false);
            Selector selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
            InetSocketAddress bound = (InetSocketAddress) ch.getLocalAddress();
            return new UdpUnderlay(ch, selector, Endpoint.of(bound.getAddress(), bound.getPort()), offload);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind UDP " + address.getAddress().getHostAddress() + ":" + address.getPort()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    @Override
    public Received receive(byte[] buf) throws IOException {
        while (channel.isOpen()) {
            Received r = receiveNow(buf);
            if (r != null) {
                return r;
            }
            try {
                readable.select(SELECT_MILLIS);
                readable.selectedKeys().clear();
            } catch (ClosedSelectorException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The underlay socket's next datagram, or one from an extra socket of birthday probing (those enter here as if
     * they had come on this socket; polled when this one has nothing, and every {@value #EXTRA_POLL_EVERY}th
     * receive otherwise, so a link on one is not starved by traffic on the other).
     */
    @Override
    public Received receiveNow(byte[] buf) throws IOException {
        BirthdaySockets extra = birthday;
        if (extra == null || !extra.active()) {
            return receiveMain(buf);
        }
        if (++sinceExtraPoll >= EXTRA_POLL_EVERY) {
            sinceExtraPoll = 0;
            Received r = extra.poll(buf);
            if (r != null) {
                return r;
            }
        }
        Received r = receiveMain(buf);
        return r != null ? r : extra.poll(buf);
    }

    private Received receiveMain(byte[] buf) throws IOException {
        if (coalesced) {
            return offloads.receive(buf);
        }
        ByteBuffer wrap = receiveWrap.get();
        if (wrap == null || wrap.array() != buf) {
            wrap = ByteBuffer.wrap(buf);
            receiveWrap.set(wrap);
        }
        wrap.clear();
        try {
            SocketAddress from = channel.receive(wrap);
            return from == null ? null : new Received(new Endpoint((InetSocketAddress) from), wrap.position());
        } catch (ClosedChannelException e) {
            return null;
        }
    }

    @Override
    public void send(byte[] buf, int offset, int length, Endpoint to) throws IOException {
        BirthdaySockets extra = birthday;
        DatagramChannel via = extra == null ? null : extra.channelFor(to);
        sendOn(via == null ? channel : via, buf, offset, length, to);
    }

    /** One datagram on {@code ch}, retrying a full socket buffer for up to {@value #SEND_RETRY_MICROS} µs. */
    private static void sendOn(DatagramChannel ch, byte[] buf, int offset, int length, Endpoint to) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, offset, length);
        long deadline = System.nanoTime() + SEND_RETRY_MICROS * 1000;
        while (ch.send(b, to.address()) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("socket send buffer full for " + SEND_RETRY_MICROS + " µs");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @Override
    public boolean limitsTtl() {
        return calls != null;
    }

    @Override
    public boolean sendLimited(byte[] buf, int offset, int length, Endpoint to, int ttl) throws IOException {
        BirthdaySockets extra = birthday;
        if (extra != null && extra.channelFor(to) != null) {
            return false;                           // a link found by birthday probing: no opener on the underlay socket
        }
        return calls != null && calls.sendLimited(buf, offset, length, to, ttl);
    }

    /**
     * Turns birthday probing's extra sockets on (docs/nat.md, "Birthday probing"); without this call the underlay
     * opens none. Once, before traffic.
     */
    public void enableBirthday(BirthdaySettings settings) {
        if (settings.enabled() && birthday == null) {
            birthday = new BirthdaySockets(local.address().getAddress(), readable, settings);
        }
    }

    @Override
    public boolean openBirthday(Endpoint toward, byte[] opener, int[] ttls) {
        BirthdaySockets extra = birthday;
        return extra != null && extra.open(toward, opener, ttls);
    }

    @Override
    public boolean sprayBirthday(byte[] datagram, InetAddress at, int[] ports) {
        BirthdaySockets extra = birthday;
        return extra != null && extra.spray((b, o, l, to) -> sendOn(channel, b, o, l, to), datagram, at, ports);
    }

    @Override
    public void releaseBirthday(Endpoint to) {
        BirthdaySockets extra = birthday;
        if (extra != null) {
            extra.release(to);
        }
    }

    @Override
    public boolean viaBirthday(Endpoint to) {
        BirthdaySockets extra = birthday;
        return extra != null && extra.carries(to);
    }

    @Override
    public Optional<BirthdaySockets.Counts> birthdayCounts() {
        BirthdaySockets extra = birthday;
        return extra == null ? Optional.empty() : Optional.of(extra.counts());
    }

    /** Whether datagram runs leave with UDP segmentation offload (see {@link #sendSegments}). */
    boolean segmentationOffload() {
        return segmented != null;
    }

    /** Whether receives may return several datagrams of one sender (UDP_GRO). */
    boolean receiveOffload() {
        return coalesced;
    }

    /**
     * Up to {@link UdpOffload#MAX_SEGMENTS} datagrams per system call with UDP segmentation offload;
     * if the kernel refuses it (an old kernel, a path without it), the node falls back to one call per
     * datagram for good and says so once.
     */
    @Override
    public int sendSegments(List<byte[]> datagrams, int from, int to, Endpoint dest) {
        UdpOffload gso = segmented;
        BirthdaySockets extra = birthday;
        if (gso == null || to - from < 2 || (extra != null && extra.channelFor(dest) != null)) {
            return Underlay.super.sendSegments(datagrams, from, to, dest);
        }
        int sent = from;
        try {
            while (to - sent >= 2) {
                int end = chunkEnd(datagrams, sent, to);
                if (end - sent < 2) {
                    break;
                }
                long deadline = System.nanoTime() + SEND_RETRY_MICROS * 1000;
                while (!gso.send(datagrams, sent, end, dest)) {
                    if (System.nanoTime() > deadline) {
                        return sent - from;                  // socket buffer full: the rest is dropped
                    }
                    LockSupport.parkNanos(20_000);
                }
                sent = end;
            }
        } catch (IOException e) {
            if (!channel.isOpen()) {
                return sent - from;                          // closing: nothing to fall back to
            }
            segmented = null;
            log.warn("UDP segmentation offload refused, sending one datagram per system call from now on: {}", e.getMessage());
        }
        return sent - from + Underlay.super.sendSegments(datagrams, sent, to, dest);
    }

    /** The end of the next chunk from {@code from}: within the kernel's limits on segments and bytes per call. */
    private static int chunkEnd(List<byte[]> datagrams, int from, int to) {
        int end = Math.min(to, from + UdpOffload.MAX_SEGMENTS);
        int bytes = 0;
        for (int i = from; i < end; i++) {
            bytes += datagrams.get(i).length;
            if (bytes > UdpOffload.MAX_BYTES) {
                return i;
            }
        }
        return end;
    }

    @Override
    public void close() {
        BirthdaySockets extra = birthday;
        if (extra != null) {
            extra.close();
        }
        if (calls != null) {
            calls.close();                          // before the channel frees the descriptor (the offloads, if on)
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing a datagram channel has nothing to flush
        }
        try {
            readable.close();
        } catch (IOException e) {
            // nothing to release beyond the channel
        }
    }
}
