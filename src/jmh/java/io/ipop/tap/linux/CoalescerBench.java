package io.ipop.tap.linux;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The receive side's userspace GRO ({@link Coalescer}): one 64 KB run, 45 segments of 1448 payload bytes
 * (a full TAP write), joined into one super-frame; and the Internet checksum of one such segment, the
 * part of that work that verifies each segment before it joins.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CoalescerBench {
    private static final int MSS = 1448;
    private final Coalescer coalescer = new Coalescer(65_536 + 2048);
    private final List<byte[]> segments = new ArrayList<>();

    @Setup
    public void setup() {
        byte[] payload = new byte[45 * MSS];
        new Random(1).nextBytes(payload);
        ByteBuffer b = ByteBuffer.allocate(54 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {10, 77, 0, 1}).put(new byte[] {10, 77, 0, 2});
        b.putShort((short) 40000).putShort((short) 5201).putInt(1).putInt(99)
                .put((byte) 0x50).put((byte) 0x10).putShort((short) 512).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        byte[] superFrame = b.array();
        Segmenter.emit(superFrame, 0, superFrame.length,
                new VnetHeader(VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, 54, MSS, 34, 16), segments::add);
        if (segments.size() != 45) {
            throw new IllegalStateException(segments.size() + " segments");
        }
    }

    /** One TAP write's worth: 45 segments in, one super-frame out. */
    @Benchmark
    public int coalesce45Segments() {
        byte[] first = segments.get(0);
        coalescer.start(first, 0, first.length);
        for (int i = 1; i < segments.size(); i++) {
            byte[] s = segments.get(i);
            if (!coalescer.append(s, 0, s.length)) {
                throw new IllegalStateException("segment " + i + " not joined");
            }
        }
        return coalescer.finish();
    }

    /** The checksum over one segment's IPv4 pseudo-header fields, TCP header and 1448 payload bytes. */
    @Benchmark
    public long checksumOneSegment() {
        byte[] s = segments.get(1);
        return InetChecksum.finish(InetChecksum.add(InetChecksum.add(0, s, 26, 8), s, 34, s.length - 34));
    }
}
