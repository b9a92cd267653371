package io.ipop.bench;

import io.ipop.frame.EthernetHeader;
import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.MacAddress;
import io.ipop.route.FlowTable;
import io.ipop.route.LinkCounters;
import io.ipop.route.LinkIdentity;
import io.ipop.route.Route;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Frames, datagrams, routes and keys shared by the benchmarks. Sizes follow the default
 * {@code tap.mtu = 1400}: a full-size Ethernet frame is 1414 bytes (1400-byte IP packet + 14-byte
 * Ethernet header) and travels in a 1422-byte DATA datagram (+ 8-byte ipop header).
 */
final class Fixtures {
    static final int MTU = 1400;
    /** A full-MTU Ethernet frame: what the TAP hands over for a 1400-byte IP packet. */
    static final int FRAME = MTU + EthernetHeader.LENGTH;
    /** The DATA datagram carrying {@link #FRAME}. */
    static final int DATAGRAM = FrameHeader.LENGTH + FRAME;

    /** This node's TAP MAC. */
    static final MacAddress OWN_MAC = MacAddress.parse("02:00:00:00:00:01");
    /** The TAP MAC of peer {@code p0} (peer {@code pN} has {@code PEER_MAC + N}). */
    static final long PEER_MAC = MacAddress.parse("02:00:00:00:01:00").bits();

    private Fixtures() {
    }

    /**
     * An Ethernet II / IPv4 / UDP frame of {@code length} bytes with random payload, from 10.77.0.10 to
     * 10.77.0.11, ports 40000 to 5201: what a peer's identity admits (see {@link #route}).
     */
    static byte[] ethernetFrame(int length, long dst, long src, Random random) {
        byte[] f = new byte[length];
        random.nextBytes(f);
        new MacAddress(dst).writeTo(f, EthernetHeader.DESTINATION);
        new MacAddress(src).writeTo(f, EthernetHeader.SOURCE);
        ByteBuffer.wrap(f, EthernetHeader.ETHER_TYPE, 2 + 20 + 4).putShort((short) 0x0800)
                .put((byte) 0x45).put((byte) 0).putShort((short) (length - EthernetHeader.LENGTH)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0x0A4D_000A).putInt(0x0A4D_000B)
                .putShort((short) 40000).putShort((short) 5201);
        return f;
    }

    /** A plaintext DATA datagram carrying {@code frame}, as the peer would send it to us. */
    static byte[] dataDatagram(byte[] frame, int receiverIndex) {
        byte[] d = new byte[FrameHeader.LENGTH + frame.length];
        FrameHeader.write(d, 0, FrameType.DATA, receiverIndex);
        System.arraycopy(frame, 0, d, FrameHeader.LENGTH, frame.length);
        return d;
    }

    /** 192.0.2.(i+2):5800. */
    static Endpoint endpoint(int i) {
        try {
            return Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) (i + 2)}), 5800);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Local index handed to peer {@code i}: spread out like random indexes, increasing with i. */
    static int localIndex(int i) {
        return 0x1000_0000 + i * 7919;
    }

    static int remoteIndex(int i) {
        return 0x2000_0000 + i;
    }

    /** The up link to peer {@code p<i>}; {@code cipher} null for a plaintext link. */
    static Route route(int i, LinkCipher cipher) {
        return route(i, cipher, new LinkCounters());
    }

    /** Peer {@code p<i>}: MAC {@code PEER_MAC + i}, allowed to send from 10.77.0.0/24 (the frames above). */
    static Route route(int i, LinkCipher cipher, LinkCounters counters) {
        LinkIdentity identity = new LinkIdentity("p" + i, PEER_MAC + i, List.of(Ipv4Prefix.parse("10.77.0.0/24")), List.of(),
                false, List.of("blue"), true);
        return new Route(PeerId.of("p" + i), localIndex(i), remoteIndex(i), endpoint(i), counters, cipher, identity, new FlowTable());
    }

    static List<Route> plaintextRoutes(int n) {
        List<Route> routes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            routes.add(route(i, null));
        }
        return routes;
    }

    /**
     * Keys of both ends of one secure link, as a finished handshake exports them: {@code [0]} is this
     * node's, {@code [1]} the peer's (its send key is our receive key and vice versa).
     */
    static SessionKeys[] linkKeys(Random random) {
        byte[] k1 = bytes(random, SessionKeys.KEY_LENGTH);
        byte[] k2 = bytes(random, SessionKeys.KEY_LENGTH);
        byte[] s1 = bytes(random, SessionKeys.SALT_LENGTH);
        byte[] s2 = bytes(random, SessionKeys.SALT_LENGTH);
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        return new SessionKeys[] {
            new SessionKeys(k1, s1, k2, s2, suite),
            new SessionKeys(k2.clone(), s2.clone(), k1.clone(), s1.clone(), suite)
        };
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
