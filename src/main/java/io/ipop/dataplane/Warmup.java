package io.ipop.dataplane;

import io.ipop.frame.EthernetHeader;
import io.ipop.frame.Ipv4Prefix;
import io.ipop.frame.MacAddress;
import io.ipop.route.FlowTable;
import io.ipop.route.LinkCounters;
import io.ipop.route.LinkIdentity;
import io.ipop.route.Route;
import io.ipop.route.RouteTable;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.PeerId;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the data path before it carries traffic (issue 19): synthetic frames go through the real
 * outbound path (switch, frame, seal) of an imagined peer and then through this node's inbound path
 * (classify, open, identity checks, switch) and outbound path, on secure and plaintext links, in
 * memory only. Nothing reaches the wire, the TAP or the node's counters: the paths, routes and counters
 * here are private, and the keys are random and thrown away.
 *
 * <p>Without it the first seconds of traffic through a fresh link ran interpreted and in the JIT's
 * first tiers, and a 200 Mbit/s UDP stream lost 7–10 % of its datagrams there (docs/performance.md,
 * "Warm start"); the JIT compiles per method, not per object, so what runs here is what the real
 * paths then run compiled.
 */
public final class Warmup {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    /** The imagined peer's TAP MAC; its frames come from 10.255.255.2 to 10.255.255.1. */
    private static final long PEER_MAC = MacAddress.parse("02:00:00:ff:ff:02").bits();
    private static final int[] SIZES = {98, 1414, 590, 1414, 66, 1414};

    private Warmup() {
    }

    /**
     * Starts the warm-up of {@code settings.warmUpFrames()} frames on a daemon thread of its own, so the
     * node's start does not wait for it; logs how long it took.
     */
    public static void startInBackground(DataplaneSettings settings, MacAddress ownMac, int mtu) {
        int frames = settings.warmUpFrames();
        if (frames == 0) {
            return;
        }
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                long delivered = run(ownMac, mtu, frames, settings.batchSize());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (delivered == frames) {
                    log.info("data path warmed up: {} synthetic frames each way in {} ms", frames, ms);
                } else {
                    log.warn("data path warm-up: only {} of {} synthetic frames came through (a bug; traffic is not affected)",
                            delivered, frames);
                }
            } catch (RuntimeException e) {
                log.warn("data path warm-up failed (a bug; traffic is not affected)", e);
            }
        }, "ipop-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Runs {@code frames} frames each way through the paths, in bursts of {@code batch}; returns the frames
     * the inbound path delivered (all of them unless something is broken, which the caller logs).
     */
    public static long run(MacAddress ownMac, int mtu, int frames, int batch) {
        Random random = new Random(frames);
        SessionKeys[] keys = linkKeys(new SecureRandom());
        Endpoint peer = Endpoint.parse("192.0.2.255:5800");
        Route secureOut = route(1, 2, peer, LinkCipher.of(keys[0], 2), PEER_MAC);
        Route plainOut = route(3, 4, peer, null, PEER_MAC);
        // The peer's side of each link: it sends to our local index with the other half of the keys.
        Route peerSecure = route(2, 1, peer, LinkCipher.of(keys[1], 1), ownMac.bits());
        Route peerPlain = route(4, 3, peer, null, ownMac.bits());
        DataplaneCounters counters = new DataplaneCounters();
        InboundPath inbound = inbound(secureOut, ownMac, counters);
        InboundPath inboundPlain = inbound(plainOut, ownMac, counters);
        OutboundPath ours = path(secureOut, counters);
        OutboundPath oursPlain = path(plainOut, counters);
        OutboundPath theirs = path(peerSecure, counters);
        OutboundPath theirsPlain = path(peerPlain, counters);
        long delivered = 0;
        int limit = Math.min(mtu + EthernetHeader.LENGTH, 1414);
        for (int sent = 0; sent < frames; sent += batch) {
            boolean secure = (sent / batch) % 4 != 3;            // mostly secure: the costlier path
            int burst = Math.min(batch, frames - sent);
            List<byte[]> toUs = new ArrayList<>(burst);
            List<byte[]> fromUs = new ArrayList<>(burst);
            for (int i = 0; i < burst; i++) {
                int size = Math.min(limit, SIZES[(sent + i) % SIZES.length]);
                toUs.add(frame(size, ownMac.bits(), PEER_MAC, random));
                fromUs.add(frame(size, PEER_MAC, ownMac.bits(), random));
            }
            List<Datagram> datagrams = new ArrayList<>(burst);
            for (Outgoing o : (secure ? theirs : theirsPlain).process(toUs)) {
                datagrams.add(new Datagram(peer, o.datagram()));
            }
            delivered += (secure ? inbound : inboundPlain).process(datagrams).size();
            (secure ? ours : oursPlain).process(fromUs);
        }
        return delivered;
    }

    /** Each path has one link: a route table refuses one peer MAC on two links. */
    private static InboundPath inbound(Route route, MacAddress ownMac, DataplaneCounters counters) {
        RouteTable table = RouteTable.of(List.of(route));
        return new InboundPath(() -> table, ownMac, new ControlCodec(), ControlSink.REFUSE, counters, System::nanoTime);
    }

    private static OutboundPath path(Route route, DataplaneCounters counters) {
        RouteTable table = RouteTable.of(List.of(route));
        return new OutboundPath(() -> table, counters);
    }

    private static Route route(int localIndex, int remoteIndex, Endpoint endpoint, LinkCipher cipher, long peerMac) {
        return new Route(PeerId.of("warm-up"), localIndex, remoteIndex, endpoint, new LinkCounters(), cipher, identity(peerMac),
                new FlowTable());
    }

    private static LinkIdentity identity(long mac) {
        return new LinkIdentity("warm-up", mac, List.of(Ipv4Prefix.parse("10.255.255.0/24")), List.of(), false,
                List.of(), true);
    }

    /** An Ethernet II / IPv4 / UDP frame of {@code length} bytes from 10.255.255.2 to 10.255.255.1. */
    private static byte[] frame(int length, long dst, long src, Random random) {
        byte[] f = new byte[length];
        random.nextBytes(f);
        new MacAddress(dst).writeTo(f, EthernetHeader.DESTINATION);
        new MacAddress(src).writeTo(f, EthernetHeader.SOURCE);
        boolean fromPeer = src == PEER_MAC;
        ByteBuffer.wrap(f, EthernetHeader.ETHER_TYPE, 2 + 20 + 4).putShort((short) 0x0800)
                .put((byte) 0x45).put((byte) 0).putShort((short) (length - EthernetHeader.LENGTH)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0)
                .putInt(fromPeer ? 0x0AFF_FF02 : 0x0AFF_FF01).putInt(fromPeer ? 0x0AFF_FF01 : 0x0AFF_FF02)
                .putShort((short) 40000).putShort((short) 5201);
        return f;
    }

    /** Both ends' keys of one link, as a handshake would export them: [0] ours (the client), [1] the peer's. */
    private static SessionKeys[] linkKeys(SecureRandom random) {
        byte[] material = new byte[SessionKeys.EXPORTER_LENGTH];
        random.nextBytes(material);
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        return new SessionKeys[] {
            SessionKeys.fromExporter(material.clone(), false, suite), SessionKeys.fromExporter(material, true, suite)
        };
    }
}
