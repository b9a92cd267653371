package io.ipop.dataplane;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import io.ipop.counters.Drop;
import io.ipop.frame.MacAddress;
import io.ipop.route.LinkCounters;
import io.ipop.route.Routes;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The inbound path's classify and switch stages on arbitrary datagrams, with a route table holding one
 * plaintext and one secure link: nothing throws, and every datagram is accounted for exactly once: it
 * becomes a frame for the switch, a sealed keepalive, a message or record for the control plane, or one
 * drop counted under one reason. The switch then passes a frame or counts one drop.
 *
 * <p>A property test: it runs its listed edge cases, then a fixed number of tries whose datagram is drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces. Tries share one node, as before: counters are compared before and after.
 */
class InboundPathProperties {
    private static final int PLAIN_INDEX = 0x1111_2222;
    private static final int SECURE_INDEX = -0x3333_4444;
    private static final long SEED = 0x494E_424F_554E_4450L;
    private static final MacAddress OWN_MAC = MacAddress.parse("02:00:00:00:00:01");

    private final ControlCodec codec = new ControlCodec();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final LinkCounters plainCounters = new LinkCounters();
    private final LinkCounters secureCounters = new LinkCounters();
    private final LinkCipher peerSide;
    private final AtomicLong toControlPlane = new AtomicLong();
    private final InboundPath inbound;
    private final Endpoint from;

    InboundPathProperties() throws Exception {
        byte[] material = new byte[SessionKeys.EXPORTER_LENGTH];
        new Random(1).nextBytes(material);
        SessionKeys ours = SessionKeys.fromExporter(material.clone(), true, "test");
        SessionKeys theirs = SessionKeys.fromExporter(material, false, "test");
        peerSide = LinkCipher.of(theirs, SECURE_INDEX);
        from = Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 9}), 40000);
        Route plain = Routes.of("c", PLAIN_INDEX, 7, from, plainCounters, null);
        Route secure = Routes.of("b", SECURE_INDEX, 8, from, secureCounters, LinkCipher.of(ours, 8));
        RouteTable table = RouteTable.of(List.of(plain, secure));
        ControlSink sink = new ControlSink() {
            @Override
            public boolean control(Endpoint sender, ControlMessage message) {
                boolean known = message.node().equals("b") || message.node().equals("c");
                if (known) {
                    toControlPlane.incrementAndGet();
                }
                return known;
            }

            @Override
            public boolean dtls(Endpoint sender, int localIndex, byte[] record) {
                boolean known = localIndex == SECURE_INDEX;
                if (known) {
                    toControlPlane.incrementAndGet();
                }
                return known;
            }
        };
        inbound = new InboundPath(() -> table, OWN_MAC, codec, sink, counters, System::nanoTime);
    }

    @Test
    void everyDatagramIsAccountedForExactlyOnce() {
        int n = 0;
        for (Supplier<byte[]> edge : edgeDatagrams()) {
            byte[] datagram = edge.get();
            byte[] original = datagram.clone();
            check("edge case " + n++, () -> "datagram=" + hex(original), () -> everyDatagramIsAccountedForExactlyOnce(datagram));
        }
        int tries = 5000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            byte[] datagram = datagram(new Random(seed));
            byte[] original = datagram.clone();
            check(trial(i, tries, seed), () -> "datagram=" + hex(original), () -> everyDatagramIsAccountedForExactlyOnce(datagram));
        }
    }

    private void everyDatagramIsAccountedForExactlyOnce(byte[] datagram) {
        long drops = totalDrops();
        long control = toControlPlane.get();
        long keepalives = secureCounters.activity();

        List<InboundFrame> frames = inbound.classify(new Datagram(from, datagram));

        long outcomes = frames.size() + (totalDrops() - drops) + (toControlPlane.get() - control)
                + (secureCounters.activity() - keepalives);
        assertEquals(1, outcomes, "one outcome per datagram: " + frames.size() + " frames, "
                + (totalDrops() - drops) + " drops, " + (toControlPlane.get() - control) + " to the control plane");
        for (InboundFrame f : frames) {
            assertTrue(f.offset() >= 0 && f.length() >= 0 && f.offset() + f.length() <= f.buf().length);
            long switchDrops = totalDrops();
            List<InboundFrame> kept = inbound.switchIn(f);
            assertEquals(1, kept.size() + (totalDrops() - switchDrops), "the switch keeps the frame or counts one drop");
        }
    }

    private long totalDrops() {
        long n = 0;
        for (Drop d : Drop.all()) {
            n += counters.drops(d);
        }
        return n;
    }

    private static final int[] HEADED_TYPES = {0xA1, 0xA2, 0xA3, 0xA4, 0x00, 0x16, 0xFF};
    private static final int[] HEADED_VERSIONS = {1, 1, 1, 0, 2};
    private static final int[] KNOWN_INDICES = {PLAIN_INDEX, SECURE_INDEX, 0};
    private static final String[] NODES = {"b", "c", "mallory"};

    /**
     * Datagrams an attacker or a broken peer might send: random bytes; our header (any type and version,
     * a known or random index) over random bodies; frames genuinely sealed by the secure link's peer
     * (replayed at random, some with a bit flipped); control messages, valid and cut short. Weighted
     * 2 : 4 : 3 : 2 : 1 (raw, headed, sealed, control, DTLS).
     */
    private byte[] datagram(Random random) {
        int w = random.nextInt(12);
        if (w < 2) {
            return bytes(random, 0, 40);
        }
        if (w < 6) {
            int type = HEADED_TYPES[random.nextInt(HEADED_TYPES.length)];
            int version = HEADED_VERSIONS[random.nextInt(HEADED_VERSIONS.length)];
            int index = random.nextBoolean() ? KNOWN_INDICES[random.nextInt(KNOWN_INDICES.length)] : anyInt(random);
            return headed(type, version, index, bytes(random, 0, 1600));
        }
        if (w < 9) {
            byte[] frame = bytes(random, 0, 1500);
            int flip = between(random, -1, 2000);
            boolean again = random.nextInt(3) == 0;
            return sealed(frame, flip, again);
        }
        if (w < 11) {
            return control(NODES[random.nextInt(NODES.length)], anyLong(random), between(random, 0, 80));
        }
        return dtls(bytes(random, 0, 1600));
    }

    /** Each kind of datagram at its bounds; suppliers, as sealing advances the peer's sequence. */
    private List<Supplier<byte[]>> edgeDatagrams() {
        List<Supplier<byte[]>> edges = new ArrayList<>();
        edges.add(() -> new byte[0]);
        for (int length = 1; length <= FrameHeader.LENGTH; length++) {
            int l = length;
            edges.add(() -> {
                byte[] d = new byte[l];
                byte[] header = new byte[FrameHeader.LENGTH];
                FrameHeader.write(header, 0, FrameType.SECURE_DATA, SECURE_INDEX);
                System.arraycopy(header, 0, d, 0, l);
                return d;
            });
            edges.add(() -> filled(l, (byte) -1));
        }
        edges.add(() -> filled(40, (byte) 0));
        for (int type : new int[] {0xA1, 0xA2, 0xA3, 0xA4, 0x00, 0x16, 0xFF}) {
            for (int version : new int[] {1, 0, 2}) {
                for (int index : new int[] {PLAIN_INDEX, SECURE_INDEX, 0, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                    for (int size : new int[] {0, 1, 13, 14, 1600}) {
                        edges.add(() -> headed(type, version, index, filled(size, (byte) 0x5A)));
                    }
                }
            }
        }
        for (int size : new int[] {0, 1, 13, 14, 1500}) {
            for (int flip : new int[] {-1, 0, 7, 8, 2000}) {
                for (boolean again : new boolean[] {false, true}) {
                    edges.add(() -> sealed(filled(size, (byte) 0x33), flip, again));
                }
            }
        }
        for (String node : NODES) {
            for (int cut : new int[] {0, 1, 69, 70, 80}) {
                edges.add(() -> control(node, Long.MIN_VALUE, cut));
                edges.add(() -> control(node, Long.MAX_VALUE, cut));
            }
        }
        for (int size : new int[] {0, 1, 1600}) {
            edges.add(() -> dtls(filled(size, (byte) 0x16)));
        }
        return edges;
    }

    /** Our header, of any type byte and version and with any receiver index, over {@code body}. */
    private static byte[] headed(int type, int version, int index, byte[] body) {
        byte[] d = new byte[FrameHeader.LENGTH + body.length];
        d[0] = (byte) type;
        d[1] = (byte) version;
        d[4] = (byte) (index >>> 24);
        d[5] = (byte) (index >>> 16);
        d[6] = (byte) (index >>> 8);
        d[7] = (byte) index;
        System.arraycopy(body, 0, d, FrameHeader.LENGTH, body.length);
        return d;
    }

    /** {@code frame} sealed by the secure link's peer, bit 0 of byte {@code flip} flipped if there is one; {@code again}: already delivered once. */
    private byte[] sealed(byte[] frame, int flip, boolean again) {
        byte[] d = peerSide.seal(frame, 0, frame.length);
        if (flip >= 0 && flip < d.length) {
            d[flip] ^= 0x01;
        }
        if (again) {
            inbound.classify(new Datagram(from, d.clone()));   // so the property's copy is a replay
        }
        return d;
    }

    /** A ping from {@code node}, cut to {@code cut} bytes of body if {@code cut < 70}. */
    private byte[] control(String node, long seq, int cut) {
        byte[] d = codec.encode(new ControlMessage.Ping(node, seq, 1));
        return cut < 70 ? Arrays.copyOf(d, Math.min(d.length, FrameHeader.LENGTH + cut)) : d;
    }

    /** A DTLS frame for the secure link's index over {@code body}. */
    private static byte[] dtls(byte[] body) {
        byte[] d = new byte[FrameHeader.LENGTH + body.length];
        FrameHeader.write(d, 0, FrameType.DTLS, SECURE_INDEX);
        System.arraycopy(body, 0, d, FrameHeader.LENGTH, body.length);
        return d;
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
