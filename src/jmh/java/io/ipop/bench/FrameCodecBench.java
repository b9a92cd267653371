package io.ipop.bench;

import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.WireException;
import java.util.Base64;
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
 * The wire codec: the 8-byte frame header every datagram carries (per packet) and the JSON control
 * messages (a few per second per link: ping, and the signed con_req with its certificate).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FrameCodecBench {
    private final ControlCodec codec = new ControlCodec();
    /** A 1422-byte DATA datagram (a full 1414-byte frame behind the header). */
    private byte[] datagram;
    private int index;
    private ControlMessage.Ping ping;
    private ControlMessage.ConReq conReq;
    private byte[] pingFrame;
    private byte[] conReqFrame;

    @Setup
    public void setup() {
        Random random = new Random(1);
        byte[] frame = Fixtures.ethernetFrame(Fixtures.FRAME, Fixtures.OWN_MAC.bits(), Fixtures.PEER_MAC, random);
        index = Fixtures.localIndex(3);
        datagram = Fixtures.dataDatagram(frame, index);

        ping = new ControlMessage.Ping("node-b", 12345, 1_767_000_000_000L);
        // A signed hello as a node with a certificate sends it: ~600-byte DER certificate (800 base64
        // chars) and a ~72-byte DER ECDSA P-256 signature (96 chars).
        String cert = Base64.getEncoder().encodeToString(Fixtures.bytes(random, 600));
        String sig = Base64.getEncoder().encodeToString(Fixtures.bytes(random, 72));
        conReq = new ControlMessage.ConReq(ControlMessage.PROTOCOL_VERSION, "node-b", "9f2c4e1a7b3d5f60",
                "10.77.0.2/24", "02:5a:11:c3:09:7e", List.of("blue", "red"), "Qm9uY2UtMTIzNDU2Nzg5MA",
                0x1234_5678, 1_767_000_000_000L, Boolean.TRUE, cert, sig);
        pingFrame = codec.encode(ping);
        conReqFrame = codec.encode(conReq);
        if (cert.length() != 800 || conReqFrame.length < 1000) {
            throw new IllegalStateException("con_req fixture of " + conReqFrame.length + " bytes");
        }
    }

    /** Outbound, per frame: the header written in front of the frame. */
    @Benchmark
    public byte[] headerWrite() {
        FrameHeader.write(datagram, 0, FrameType.DATA, index);
        return datagram;
    }

    /** Inbound, per datagram: header check, then the receiver index that finds the link. */
    @Benchmark
    public int headerCheckAndIndex() throws WireException {
        FrameType type = FrameHeader.check(datagram, 0, datagram.length);
        return FrameHeader.receiverIndex(datagram, 0) + type.ordinal();
    }

    @Benchmark
    public byte[] encodePing() {
        return codec.encode(ping);
    }

    @Benchmark
    public ControlMessage decodePing() throws WireException {
        return codec.decode(pingFrame, 0, pingFrame.length);
    }

    @Benchmark
    public byte[] encodeConReq() {
        return codec.encode(conReq);
    }

    @Benchmark
    public ControlMessage decodeConReq() throws WireException {
        return codec.decode(conReqFrame, 0, conReqFrame.length);
    }
}
