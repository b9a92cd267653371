package io.ipop.dataplane;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Overlay paths as endpoints. A link to a node this one has no direct link to runs over the overlay: its
 * datagrams go out wrapped in FORWARD ({@link OverlayUnderlay}) and come in unwrapped ({@link Forwarding}).
 * So that the link machine, the control channel, the DTLS handshake and the data path need not know, the
 * overlay path to node {@code n} is an endpoint of its own: {@link #endpointOf}{@code (n)}, an address in
 * {@code 0.0.0.0/8} ("this network", RFC 1122 3.2.1.3: never a source or destination on the wire; the
 * kernel drops datagrams from it as martians, and the inbound path refuses them too), derived from the
 * SHA-256 of the name — as a relay's port stands for the relayed peer. Path validation, the endpoint check
 * of plaintext data and the ranking of paths then work on it as on any address.
 *
 * <p>{@link #register} (the directory, for an overlay session) maps the endpoint back to its node for
 * sending; {@link #traced} keeps the nodes in between that the peer's last link setup crossed, for
 * {@code path = "overlay(via=...)"}. Thread-safe; bounded ({@value #MAX} paths).
 */
public final class OverlayPaths {
    static final int MAX = 4096;

    private final Map<Endpoint, PeerId> peers = new ConcurrentHashMap<>();
    private final Map<Endpoint, List<PeerId>> via = new ConcurrentHashMap<>();

    /** True if {@code e} stands for an overlay path ({@code 0.0.0.0/8}). Allocation-free. */
    public static boolean isOverlay(Endpoint e) {
        InetAddress ip = e.address().getAddress();
        return ip instanceof Inet4Address && (ip.hashCode() >>> 24) == 0;   // Inet4Address.hashCode is the address
    }

    /** The endpoint standing for the overlay path to {@code peer}: 0.h0.h1.h2:port from the name's SHA-256. */
    public static Endpoint endpointOf(PeerId peer) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(peer.name().getBytes(StandardCharsets.US_ASCII));
            int port = 1 + (((h[3] & 0xFF) << 8 | (h[4] & 0xFF)) % 65_535);
            return Endpoint.of(InetAddress.getByAddress(new byte[] {0, h[0], h[1], h[2]}), port);
        } catch (NoSuchAlgorithmException | UnknownHostException e) {
            throw new IllegalStateException("SHA-256 and 4-byte addresses are part of every Java runtime", e);
        }
    }

    /**
     * Sends to {@link #endpointOf}{@code (peer)} go to {@code peer} from now on. False (nothing registered)
     * if {@value #MAX} paths are registered, or another node's name derives the same endpoint (2^-40 a pair).
     */
    public boolean register(PeerId peer) {
        Endpoint e = endpointOf(peer);
        if (peers.size() >= MAX && !peers.containsKey(e)) {
            return false;
        }
        return peer.equals(peers.putIfAbsent(e, peer)) || peers.get(e).equals(peer);
    }

    public void unregister(PeerId peer) {
        Endpoint e = endpointOf(peer);
        peers.remove(e, peer);
        via.remove(e);
    }

    /** The node whose overlay path {@code e} is, or null if none is registered there. */
    public PeerId peerAt(Endpoint e) {
        return peers.get(e);
    }

    /** The peer at overlay path {@code e} sent link setup through {@code nodes} (in order, nearest the peer first). */
    void traced(Endpoint e, List<PeerId> nodes) {
        if (peers.containsKey(e)) {
            via.put(e, List.copyOf(nodes));
        }
    }

    /** The nodes in between on the overlay path {@code e}, as its peer's last link setup crossed them; empty if unknown. */
    public List<PeerId> via(Endpoint e) {
        List<PeerId> v = e == null ? null : via.get(e);
        return v == null ? List.of() : v;
    }
}
