package io.ipop.bench;

import io.ipop.frame.MacAddress;
import io.ipop.tap.TapDevice;

/**
 * An in-memory TAP for the graph benchmarks. {@link #read} serves frames from a preloaded ring as fast
 * as it is called (copying each into the caller's buffer, as the kernel does), paced by an outbound
 * {@link Gate}; {@link #write} only counts, on an inbound gate.
 *
 * <p>Not {@code MemoryTap}: that one hands frames over through bounded queues (4096, with a copy per
 * frame each way and a 100 ms poll), so reading from it needs a feeder thread and writing to it a
 * drainer, which would be measured along with the graph on this 2-core machine.
 */
final class BenchTap implements TapDevice {
    private final MacAddress mac;
    private final byte[][] ring;
    private final Gate readGate;
    private final Gate writeGate;
    private int next;

    BenchTap(MacAddress mac, byte[][] ring, Gate readGate, Gate writeGate) {
        this.mac = mac;
        this.ring = ring;
        this.readGate = readGate;
        this.writeGate = writeGate;
    }

    @Override
    public String name() {
        return "bench0";
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return Fixtures.MTU;
    }

    @Override
    public int read(byte[] buf) {
        int r = readGate.tryEnter();
        return r <= 0 ? r : next(buf);
    }

    @Override
    public int readNow(byte[] buf) {
        int r = readGate.enterNow();
        return r <= 0 ? r : next(buf);
    }

    private int next(byte[] buf) {
        byte[] f = ring[next];
        next = next + 1 == ring.length ? 0 : next + 1;
        System.arraycopy(f, 0, buf, 0, f.length);
        return f.length;
    }

    @Override
    public void write(byte[] buf, int offset, int length) {
        writeGate.left();
    }

    @Override
    public void close() {
        readGate.close();
    }
}
