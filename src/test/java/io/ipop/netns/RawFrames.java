package io.ipop.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes hand-made Ethernet frames onto an interface inside a namespace, as a process on that host could
 * (an AF_PACKET socket; Python's standard library has one, Java's has not). An insider uses it on its own
 * TAP device: whatever it writes there its node sends to its peers.
 */
final class RawFrames {
    private static final String SEND = """
            import socket, sys, os
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((sys.argv[1], 0))
            repeat = int(sys.argv[2])
            frames = [bytes.fromhex(h) for h in sys.argv[3:]]
            for _ in range(repeat):
                for f in frames:
                    s.send(f)
            """;
    /** {@code count} broadcast frames (ethertype 0x88B5), each from another random unicast source MAC. */
    private static final String FLOOD = """
            import socket, sys, os
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((sys.argv[1], 0))
            for i in range(int(sys.argv[2])):
                src = bytearray(os.urandom(6))
                src[0] = (src[0] & 0xFC) | 0x02
                s.send(b"\\xff" * 6 + bytes(src) + b"\\x88\\xb5" + b"flood" * 10)
            """;

    private RawFrames() {
    }

    /** Sends every frame of {@code frames}, {@code repeat} times over, from {@code host}'s {@code iface}. */
    static void send(Topology topology, String host, String iface, int repeat, List<byte[]> frames) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", SEND, iface, Integer.toString(repeat)));
        frames.forEach(f -> cmd.add(HexFormat.of().formatHex(f)));
        Shell.Result r = topology.exec(host, Duration.ofSeconds(30), cmd.toArray(String[]::new));
        if (!r.ok()) {
            throw new AssertionError("raw send failed: " + r.output());
        }
    }

    /** Sends {@code count} frames from random source MACs from {@code host}'s {@code iface}. */
    static void flood(Topology topology, String host, String iface, int count) {
        Shell.Result r = topology.exec(host, Duration.ofSeconds(60), "python3", "-c", FLOOD, iface, Integer.toString(count));
        if (!r.ok()) {
            throw new AssertionError("raw flood failed: " + r.output());
        }
    }
}
