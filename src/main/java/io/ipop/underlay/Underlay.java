package io.ipop.underlay;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The outside of the node: one datagram socket shared by control and data; with birthday probing
 * (docs/nat.md), extra sockets beside it carry the links they found, behind the same calls.
 *
 * <p>Thread-safety: one thread receives while any number of threads send; {@link #close} from any
 * thread makes a blocked {@link #receive} return {@code null}.
 */
public interface Underlay extends Closeable {

    /** The bound local address. */
    Endpoint localEndpoint();

    /**
     * Blocks until a datagram arrives and copies it into {@code buf} (whose length bounds the datagram;
     * a longer datagram is truncated by the socket, as UDP does).
     *
     * @return the datagram and its sender, or {@code null} once the underlay is closed
     */
    Received receive(byte[] buf) throws IOException;

    /**
     * Like {@link #receive} but never blocks: the rest of a batch after a blocking receive.
     *
     * @return the datagram and its sender, or {@code null} if none is waiting (or the underlay is closed)
     */
    Received receiveNow(byte[] buf) throws IOException;

    /** Sends one datagram. Never blocks for long: a full socket buffer drops, as UDP does. */
    void send(byte[] buf, int offset, int length, Endpoint to) throws IOException;

    /**
     * Sends {@code datagrams[from, to)} to {@code dest}: all of the first one's length but the last, which
     * may be shorter (the segments of one TCP super-frame). An implementation may hand them to the
     * kernel in one call ({@link UdpUnderlay}: UDP segmentation offload); then a failure loses them all.
     * Default: one {@link #send} each, stopping at the first failure.
     *
     * @return how many were sent before a failure: {@code to - from} if all were
     */
    default int sendSegments(List<byte[]> datagrams, int from, int to, Endpoint dest) {
        for (int i = from; i < to; i++) {
            byte[] d = datagrams.get(i);
            try {
                send(d, 0, d.length, dest);
            } catch (IOException e) {
                return i - from;
            }
        }
        return to - from;
    }

    /**
     * Sends one datagram with an IP TTL (IPv6: hop limit) of {@code ttl}: it leaves through this host's NATs,
     * opening their mappings, and dies at a router a hop or two beyond, before another NAT could take it in
     * (NAT hole punching, docs/nat.md). Only this datagram: the socket's own TTL stays.
     *
     * @return false if this underlay cannot limit one datagram's TTL, or could not send it now (nothing sent)
     */
    default boolean sendLimited(byte[] buf, int offset, int length, Endpoint to, int ttl) throws IOException {
        return false;
    }

    /** True if {@link #sendLimited} can set one datagram's TTL on this underlay. */
    default boolean limitsTtl() {
        return false;
    }

    /**
     * Birthday probing, hard side (docs/nat.md): opens the extra sockets and sends {@code opener} from each toward
     * {@code toward}, once per TTL of {@code ttls}; the first datagram from {@code toward} on one of them makes it
     * carry everything to and from {@code toward}.
     *
     * @return false if this underlay has no extra sockets, or cannot open them now (nothing sent)
     */
    default boolean openBirthday(Endpoint toward, byte[] opener, int[] ttls) {
        return false;
    }

    /** Birthday probing, easy side: {@code datagram} to each of {@code ports} at {@code at}, at a bounded rate. */
    default boolean sprayBirthday(byte[] datagram, java.net.InetAddress at, int[] ports) {
        return false;
    }

    /** The link to {@code to} closed or moved: the extra socket that carried it, if any, closes now. */
    default void releaseBirthday(Endpoint to) {
    }

    /** True if an extra socket found by birthday probing carries the traffic to {@code to}. */
    default boolean viaBirthday(Endpoint to) {
        return false;
    }

    /** What birthday probing did here; empty if this underlay has no extra sockets. */
    default java.util.Optional<BirthdaySockets.Counts> birthdayCounts() {
        return java.util.Optional.empty();
    }

    @Override
    void close();

    /**
     * What {@link #receive} returns: the sender and the number of bytes copied. With receive offload the
     * bytes may be several datagrams of that sender, each {@code segment} bytes long but the last,
     * which may be shorter; otherwise {@code segment == length}.
     */
    record Received(Endpoint from, int length, int segment) {
        public Received(Endpoint from, int length) {
            this(from, length, length);
        }
    }
}
