package io.ipop.tap;

import io.ipop.frame.MacAddress;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory TAP device for tests. {@link #inject} plays the kernel sending a frame out of the
 * interface (the node will {@link #read} it); frames the node {@link #write}s are taken with
 * {@link #takeWritten}.
 */
public final class MemoryTap implements TapDevice {
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final BlockingQueue<byte[]> fromKernel = new ArrayBlockingQueue<>(4096);
    private final BlockingQueue<byte[]> toKernel = new ArrayBlockingQueue<>(4096);
    private final AtomicBoolean closed = new AtomicBoolean();

    public MemoryTap(String name, MacAddress mac, int mtu) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
    }

    /** The kernel sends {@code frame} out of the interface; false if the device queue is full. */
    public boolean inject(byte[] frame) {
        return fromKernel.offer(frame.clone());
    }

    /** The next frame the node wrote, or {@code null} after {@code timeoutMillis}. */
    public byte[] takeWritten(long timeoutMillis) throws InterruptedException {
        return toKernel.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int read(byte[] buf) {
        if (closed.get()) {
            return -1;
        }
        try {
            byte[] f = fromKernel.poll(100, TimeUnit.MILLISECONDS);
            if (f == null) {
                return closed.get() ? -1 : 0;
            }
            System.arraycopy(f, 0, buf, 0, f.length);
            return f.length;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public int readNow(byte[] buf) {
        if (closed.get()) {
            return -1;
        }
        byte[] f = fromKernel.poll();
        if (f == null) {
            return 0;
        }
        System.arraycopy(f, 0, buf, 0, f.length);
        return f.length;
    }

    @Override
    public void write(byte[] buf, int offset, int length) {
        if (!closed.get()) {
            toKernel.offer(Arrays.copyOfRange(buf, offset, offset + length));
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
