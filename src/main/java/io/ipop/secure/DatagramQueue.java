package io.ipop.secure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The {@link DatagramTransport} a Bouncy Castle DTLS handshake runs over: datagrams arrive through
 * {@link #offer} (from the inbound path, which has already removed our 8-byte frame header) and leave
 * through the {@code sendToPeer} callback (which adds the header and sends them).
 *
 * <p>Outbound records are coalesced: BC sends each handshake message as its own record, and we pack
 * the records of a flight into as few datagrams as fit {@code maxRecordSize} (RFC 6347 §4.1.1 allows
 * several records per datagram; BC splits them on receipt). Packing matters beyond saving datagrams:
 * BC switches its read epoch as soon as a ChangeCipherSpec arrives and then drops the epoch-0 messages
 * of the flight still missing (e.g. a CertificateVerify reordered behind it), which stalls the handshake
 * until its deadline. A flight is flushed when BC next waits in {@link #receive}, on {@link #close},
 * or explicitly with {@link #flush}.
 *
 * <p>Thread-safety: {@link #offer} and {@link #cancel} may be called from any thread and never block;
 * {@link #receive}, {@link #send}, {@link #flush} and {@link #close} only by the one handshake thread.
 * Buffer ownership: {@link #offer} and {@code sendToPeer} get copies, so no array is shared.
 */
final class DatagramQueue implements DatagramTransport {
    static final int CAPACITY = 64;

    /** Put on the queue by {@link #cancel} to wake a waiting {@link #receive}. */
    private static final byte[] WAKE_UP = new byte[0];

    private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<byte[]> sendToPeer;
    private final int maxRecordSize;
    private final byte[] outbound;
    private int outboundLength;
    private volatile boolean closed;

    DatagramQueue(Consumer<byte[]> sendToPeer, int maxRecordSize) {
        this.sendToPeer = sendToPeer;
        this.maxRecordSize = maxRecordSize;
        this.outbound = new byte[maxRecordSize];
    }

    /**
     * Queues a copy of a received datagram; false (dropped) if closed, full, empty or over the limit.
     */
    boolean offer(byte[] datagram) {
        if (closed || datagram.length == 0 || datagram.length > maxRecordSize || !inbound.offer(datagram.clone())) {
            return false;
        }
        return true;
    }

    /** Flushes what BC sent, then blocks up to {@code waitMillis}; -1 on timeout (BC then retransmits). */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        flush();
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] datagram;
        try {
            datagram = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
        }
        if (closed || datagram == WAKE_UP) {
            throw new IOException("DTLS transport closed");
        }
        if (datagram == null) {
            return -1;
        }
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    /** Appends one record to the datagram being packed; nothing is sent once closed or cancelled. */
    @Override
    public void send(byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        if (outboundLength + len > maxRecordSize) {
            flush();
        }
        if (len > maxRecordSize) {
            sendToPeer.accept(Arrays.copyOfRange(buf, off, off + len));   // BC respects getSendLimit: never happens
            return;
        }
        System.arraycopy(buf, off, outbound, outboundLength, len);
        outboundLength += len;
    }

    /** Sends the packed datagram, if any. */
    void flush() {
        if (outboundLength > 0 && !closed) {
            sendToPeer.accept(Arrays.copyOf(outbound, outboundLength));
        }
        outboundLength = 0;
    }

    @Override
    public int getReceiveLimit() {
        return maxRecordSize;
    }

    @Override
    public int getSendLimit() {
        return maxRecordSize;
    }

    /** BC's close, after a failure (its alert is flushed first) or at the end of our handshake thread. */
    @Override
    public void close() {
        flush();
        cancel();
    }

    /** Any thread; idempotent. Discards unsent records and wakes a blocked {@link #receive}, which then throws. */
    void cancel() {
        closed = true;
        inbound.clear();
        inbound.offer(WAKE_UP);
    }

    boolean isClosed() {
        return closed;
    }
}
