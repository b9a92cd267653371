package io.ipop.underlay;

import java.io.Closeable;
import java.io.IOException;

/**
 * The outside of the node: one datagram socket shared by control and data.
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

    @Override
    void close();

    /** What {@link #receive} returns: the sender and the number of bytes copied. */
    record Received(Endpoint from, int length) {
    }
}
