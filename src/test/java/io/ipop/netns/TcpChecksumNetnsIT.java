package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TCP segment whose checksum is wrong crosses the overlay and is dropped by the receiving host's kernel,
 * not delivered: the receiving node writes to its TAP (offloads on, the default) only what it verified as
 * {@code DATA_VALID} ({@code tap/linux/Coalescer}), everything else for the kernel to check.
 *
 * <p>On b, {@link #INJECT} opens a TCP connection to a listener on a's overlay address, learns both
 * sequence numbers from the handshake (an AF_PACKET socket on b's TAP), and then writes onto the TAP, as a
 * process on b could, three times a pair of back-to-back data segments in that connection: a good one,
 * then the next one with a spoiled TCP checksum, the pair such that a's node would join it into one
 * super-frame. Then the second segment again with another payload of the same length and a correct
 * checksum. Had a's kernel taken the spoiled one, the listener would read its payload and the good one
 * would be a duplicate. (The TAP driver checks a single frame itself whatever its vnet header says; the
 * hole was the super-frame, whose checksum the kernel completes from the joined bytes.)
 */
class TcpChecksumNetnsIT {
    private static final int PORT = 5290;
    private static final String BAD = "SPOILED-CHECKSUM-PAYLOAD";
    private static final String GOOD = "VERIFIED-CHECKSUM-PAYLOAD".substring(0, BAD.length());
    private static final int SPOILED_COPIES = 3;
    private static final String LISTEN = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', int(sys.argv[1])))
            s.listen(1)
            s.settimeout(30)
            c, _ = s.accept()
            c.settimeout(10)
            got = b''
            try:
                while len(got) < int(sys.argv[2]):
                    d = c.recv(4096)
                    if not d:
                        break
                    got += d
            except socket.timeout:
                pass
            print('received:' + got.decode('latin-1'), flush=True)
            """;
    private static final String INJECT = """
            import socket, struct, sys, time
            iface, dst, port, bad, good, copies = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5].encode(), int(sys.argv[6])
            sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
            sniff.bind((iface, 0))
            sniff.settimeout(10)
            c = socket.create_connection((dst, port), timeout=10)
            lport = c.getsockname()[1]
            while True:
                f = sniff.recv(65535)
                if f[23] != 6:
                    continue
                t = f[14 + (f[14] & 15) * 4:]
                sport, dport, seq, ack = struct.unpack('!HHII', t[:12])
                if sport == port and dport == lport and t[13] & 0x12 == 0x12:
                    break
            a_mac, b_mac, a_ip, b_ip = f[6:12], f[0:6], f[26:30], f[30:34]
            def csum(data):
                if len(data) % 2:
                    data += b'\\0'
                s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
                while s >> 16:
                    s = (s & 0xffff) + (s >> 16)
                return ~s & 0xffff
            def frame(at, payload, ident, flags, spoil):
                tcp = struct.pack('!HHIIBBHHH', lport, port, (ack + at) & 0xffffffff, (seq + 1) & 0xffffffff, 0x50, flags, 1024, 0, 0) + payload
                check = csum(b_ip + a_ip + struct.pack('!BBH', 0, 6, len(tcp)) + tcp) ^ spoil
                tcp = tcp[:16] + struct.pack('!H', check) + tcp[18:]
                ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ident, 0x4000, 64, 6, 0, b_ip, a_ip)
                ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
                return a_mac + b_mac + b'\\x08\\x00' + ip + tcp
            out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            out.bind((iface, 0))
            first = b'F' * len(bad)
            for i in range(copies):
                out.send(frame(0, first, 4000 + 2 * i, 0x10, 0))
                out.send(frame(len(first), bad, 4001 + 2 * i, 0x18, 0x5555))
                time.sleep(0.3)
            time.sleep(1)
            out.send(frame(len(first), good, 4100, 0x18, 0))
            time.sleep(1)
            c.close()
            print('injected', flush=True)
            """;
    private static MixedOverlay overlay;

    @BeforeAll
    static void start() throws Exception {
        Shell.requireRoot();
        overlay = new MixedOverlay("TcpChecksumNetnsIT", Map.of());
        overlay.startAll();
    }

    @AfterAll
    static void stop() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @Test
    void aSegmentWithABadTcpChecksumIsDroppedByTheReceivingKernelNotDelivered() throws Exception {
        Path received = overlay.dir.resolve("checksum-listener.out");
        long errorsBefore = overlay.topology.snmp("a", "Tcp").get("InCsumErrors");
        Process listener = overlay.spawn("a", received, List.of("python3", "-c", LISTEN, Integer.toString(PORT),
                Integer.toString(2 * GOOD.length())));
        try {
            awaitListening("a", PORT);
            Shell.Result inject = overlay.topology.exec("b", Duration.ofSeconds(30), "python3", "-c", INJECT, "ipop0",
                    MixedOverlay.overlayIp("a"), Integer.toString(PORT), BAD, GOOD, Integer.toString(SPOILED_COPIES));
            assertTrue(inject.ok() && inject.output().contains("injected"), inject.output());
            assertTrue(listener.waitFor(20, TimeUnit.SECONDS), "the listener ends");
        } finally {
            Shell.stop(listener);
        }
        long errors = overlay.topology.snmp("a", "Tcp").get("InCsumErrors") - errorsBefore;
        String got = Files.readString(received).trim();
        assertEquals("received:" + "F".repeat(BAD.length()) + GOOD, got, "a's application reads the verified payload only");
        assertEquals(SPOILED_COPIES, errors, "a's kernel counted each spoiled segment (TcpInCsumErrors)");
    }

    private static void awaitListening(String host, int port) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (overlay.topology.exec(host, Duration.ofSeconds(5), "ss", "-Hltn", "sport = :" + port).output().contains(":" + port)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing listens on " + host + ":" + port);
    }
}
