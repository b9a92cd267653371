package io.ipop.tap;

import io.ipop.frame.MacAddress;
import java.io.Closeable;
import java.io.IOException;

/**
 * The inside of the node: a layer-2 virtual interface carrying plain Ethernet frames.
 *
 * <p>Thread-safety: one thread may {@link #read} while another {@link #write}s; {@link #close} may be
 * called from any thread and makes a blocked {@code read} return {@code -1} within the poll interval.
 */
public interface TapDevice extends Closeable {

    /** Interface name, e.g. {@code ipop0}. */
    String name();

    /** The hardware address of the interface (the source MAC of frames the kernel sends out of it). */
    MacAddress mac();

    int mtu();

    /**
     * Reads one Ethernet frame into {@code buf} (which must hold mtu + 14 bytes).
     *
     * @return the frame length, {@code 0} if no frame arrived within the poll interval, {@code -1} once closed
     */
    int read(byte[] buf) throws IOException;

    /**
     * Reads one frame if one is waiting, without blocking: the rest of a batch after {@link #read}.
     *
     * @return the frame length, {@code 0} if none is waiting, {@code -1} once closed
     */
    int readNow(byte[] buf) throws IOException;

    /** Writes one Ethernet frame to the kernel. */
    void write(byte[] buf, int offset, int length) throws IOException;

    @Override
    void close();
}
