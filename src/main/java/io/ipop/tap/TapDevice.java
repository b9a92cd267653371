package io.ipop.tap;

import io.ipop.frame.MacAddress;
import java.io.Closeable;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

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

    /** What {@link #take} and {@link #takeNow} return once the device is closed (compare by identity). */
    byte[] CLOSED = new byte[0];

    /**
     * Like {@link #read}, but hands over the frame in an array of its exact size, which the caller then
     * owns: {@code null} if none arrived within the poll interval, {@link #CLOSED} once closed. A device
     * that already holds the frame in such an array hands it over without a copy; {@code scratch}
     * (mtu + 14 bytes) is for one that reads into a buffer first.
     */
    default byte[] take(byte[] scratch) throws IOException {
        return exact(read(scratch), scratch);
    }

    /** Like {@link #take}, without blocking: {@code null} if no frame is waiting. */
    default byte[] takeNow(byte[] scratch) throws IOException {
        return exact(readNow(scratch), scratch);
    }

    private static byte[] exact(int n, byte[] buf) {
        return n < 0 ? CLOSED : n == 0 ? null : Arrays.copyOf(buf, n);
    }

    /** Writes one Ethernet frame to the kernel. */
    void write(byte[] buf, int offset, int length) throws IOException;

    /**
     * Writes a burst of frames in order. A device may join consecutive segments of one TCP flow into
     * one write ({@code LinuxTap} with offloads).
     */
    default Burst write(List<? extends TapFrame> frames) {
        int failed = 0;
        for (TapFrame f : frames) {
            try {
                write(f.buf(), f.offset(), f.length());
            } catch (IOException e) {
                failed++;
            }
        }
        return new Burst(frames.size(), failed);
    }

    /** What a burst write did: the writes it took (system calls), the frames that could not be written. */
    record Burst(int writes, int failed) {
    }

    @Override
    void close();
}
