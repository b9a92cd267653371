package io.ipop.secure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The {@link DatagramTransport} a Bouncy Castle DTLS handshake runs over: DTLS records arrive through
 * {@link #offer} (from the inbound path, which has already removed our 8-byte frame header) and leave
 * through the {@code sendToPeer} callback (which adds the header and sends the datagram).
 *
 * <p>Thread-safety: {@link #offer} and {@link #close} may be called from any thread and never block;
 * {@link #receive} and {@link #send} are called only by the one handshake thread.
 *
 * <p>Buffer ownership: {@link #offer} and {@link #send} copy, so neither side keeps the other's array.
 */
final class DatagramQueue implements DatagramTransport {
    static final int CAPACITY = 64;

    /** Put on the queue by {@link #close} to wake a waiting {@link #receive}. */
    private static final byte[] WAKE_UP = new byte[0];

    private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<byte[]> sendToPeer;
    private final int maxRecordSize;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    DatagramQueue(Consumer<byte[]> sendToPeer, int maxRecordSize) {
        this.sendToPeer = sendToPeer;
        this.maxRecordSize = maxRecordSize;
    }

    /** Queues a copy of a received record; drops (and counts) it if closed, full, empty or over the limit. */
    void offer(byte[] record) {
        if (closed || record.length == 0 || record.length > maxRecordSize || !inbound.offer(record.clone())) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Blocks up to {@code waitMillis}; -1 on timeout (BC then retransmits); throws once closed. */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] record;
        try {
            record = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a DTLS record");
        }
        if (closed || record == WAKE_UP) {
            throw new IOException("DTLS transport closed");
        }
        if (record == null) {
            return -1;
        }
        int n = Math.min(len, record.length);
        System.arraycopy(record, 0, buf, off, n);
        return n;
    }

    /** Hands a copy to {@code sendToPeer}; after {@link #close} nothing is sent (not even BC's alerts). */
    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (!closed) {
            sendToPeer.accept(Arrays.copyOfRange(buf, off, off + len));
        }
    }

    @Override
    public int getReceiveLimit() {
        return maxRecordSize;
    }

    @Override
    public int getSendLimit() {
        return maxRecordSize;
    }

    /** Idempotent; wakes a blocked {@link #receive}, which then throws. */
    @Override
    public void close() {
        closed = true;
        inbound.clear();
        inbound.offer(WAKE_UP);
    }

    boolean isClosed() {
        return closed;
    }
}
