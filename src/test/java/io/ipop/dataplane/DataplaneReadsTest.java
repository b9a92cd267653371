package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.tap.TapDevice;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.Underlay;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The read stages' bursts ({@link Dataplane#udpReads}, {@link Dataplane#tapReads}) over devices that count their
 * calls: one non-blocking read, the wait only if it found nothing (the burst then says it waited), then what is
 * waiting up to the batch, ending at the first read that finds nothing.
 */
class DataplaneReadsTest {
    private static final int BATCH = 4;
    private static final Endpoint PEER = Endpoint.of(InetAddress.getLoopbackAddress(), 4000);

    /**
     * What a counting device hands out: packets already waiting, and packets that arrive while a blocking read
     * waits; counts the non-blocking reads.
     */
    private static final class Packets {
        final Deque<byte[]> waiting = new ArrayDeque<>();
        final Deque<byte[]> arrive = new ArrayDeque<>();
        int reads;

        /** The blocking read: what arrives during the wait is there, then one read. */
        byte[] waitThenRead() {
            waiting.addAll(arrive);
            arrive.clear();
            return read();
        }

        byte[] read() {
            reads++;
            return waiting.poll();
        }

        /** Copies {@code p} into {@code buf}; its length, or 0 for none. */
        static int copy(byte[] p, byte[] buf) {
            if (p == null) {
                return 0;
            }
            System.arraycopy(p, 0, buf, 0, p.length);
            return p.length;
        }
    }

    /** A socket over {@link Packets}. */
    private static final class CountingSocket implements Underlay {
        final Packets packets = new Packets();

        @Override
        public Endpoint localEndpoint() {
            return PEER;
        }

        @Override
        public Received receive(byte[] buf) {
            return received(packets.waitThenRead(), buf);
        }

        @Override
        public Received receiveNow(byte[] buf) {
            return received(packets.read(), buf);
        }

        private static Received received(byte[] d, byte[] buf) {
            return d == null ? null : new Received(PEER, Packets.copy(d, buf));
        }

        @Override
        public void send(byte[] buf, int offset, int length, Endpoint to) {
        }

        @Override
        public void close() {
        }
    }

    /** A TAP over {@link Packets}. */
    private static final class CountingTap implements TapDevice {
        final Packets packets = new Packets();

        @Override
        public String name() {
            return "counting0";
        }

        @Override
        public MacAddress mac() {
            return MacAddress.parse("02:00:00:00:00:01");
        }

        @Override
        public int mtu() {
            return 1400;
        }

        @Override
        public int read(byte[] buf) {
            return Packets.copy(packets.waitThenRead(), buf);
        }

        @Override
        public int readNow(byte[] buf) {
            return Packets.copy(packets.read(), buf);
        }

        @Override
        public void write(byte[] buf, int offset, int length) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void whatArrivesDuringTheWaitJoinsTheBurstThatWaited() {
        CountingSocket socket = new CountingSocket();
        socket.packets.arrive.addAll(List.of(new byte[] {1}, new byte[] {2}));
        BlockingSource.Read<ReadBurst<Datagram>> read = Dataplane.udpReads(socket, new DataplaneCounters(), BATCH).get();

        ReadBurst<Datagram> burst = read.next().orElseThrow();
        assertTrue(burst.waited(), "nothing was there before the wait: a candidate to go through unqueued");
        assertEquals(List.of(1, 2), firstBytes(burst.packets().stream().map(Datagram::bytes).toList()));
        assertEquals(4, socket.packets.reads, "the read before the wait, two after it, the empty one that ends the burst");
    }

    @Test
    void waitingDatagramsAreReadUpToTheBatch() {
        CountingSocket socket = new CountingSocket();
        for (int i = 1; i <= BATCH + 1; i++) {
            socket.packets.waiting.add(new byte[] {(byte) i});
        }
        BlockingSource.Read<ReadBurst<Datagram>> read = Dataplane.udpReads(socket, new DataplaneCounters(), BATCH).get();

        ReadBurst<Datagram> burst = read.next().orElseThrow();
        assertFalse(burst.waited());
        assertEquals(List.of(1, 2, 3, 4), firstBytes(burst.packets().stream().map(Datagram::bytes).toList()));
        assertEquals(BATCH, socket.packets.reads, "a full batch ends without another read");
        ReadBurst<Datagram> rest = read.next().orElseThrow();
        assertFalse(rest.waited());
        assertEquals(List.of(5), firstBytes(rest.packets().stream().map(Datagram::bytes).toList()));
    }

    @Test
    void framesReadAfterAWaitAndFromABacklogUpToTheBatch() {
        CountingTap tap = new CountingTap();
        tap.packets.arrive.addAll(List.of(new byte[] {1}, new byte[] {2}));
        BlockingSource.Read<ReadBurst<byte[]>> read = Dataplane.tapReads(tap, new DataplaneCounters(), BATCH).get();

        ReadBurst<byte[]> waited = read.next().orElseThrow();
        assertTrue(waited.waited());
        assertEquals(List.of(1, 2), firstBytes(waited.packets()));
        assertEquals(4, tap.packets.reads, "the read before the wait, two after it, the empty one that ends the burst");

        for (int i = 3; i <= BATCH + 3; i++) {
            tap.packets.waiting.add(new byte[] {(byte) i});
        }
        ReadBurst<byte[]> burst = read.next().orElseThrow();
        assertFalse(burst.waited());
        assertEquals(List.of(3, 4, 5, 6), firstBytes(burst.packets()));
        assertEquals(List.of(7), firstBytes(read.next().orElseThrow().packets()));
    }

    private static List<Integer> firstBytes(List<byte[]> packets) {
        return packets.stream().map(p -> (int) p[0]).toList();
    }
}
