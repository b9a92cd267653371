package io.ipop.nat;

import io.ipop.underlay.Endpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * This node's candidate endpoints for its hellos (docs/nat.md): the server-reflexive endpoint STUN
 * reported, then host candidates — the bound address, or with a wildcard bind the IPv4 addresses of the
 * node's interfaces (not loopback, not link-local, not the TAP) — all with the underlay port. At most
 * {@value #MAX}; interface addresses are re-read every {@value #REFRESH_MILLIS} ms. Thread-safe.
 */
public final class LocalCandidates implements Supplier<List<String>> {
    static final int MAX = 4;
    private static final long REFRESH_MILLIS = 10_000;

    private final InetAddress bind;
    private final int port;
    private final String tap;
    private final StunClient stun;
    private volatile List<String> hosts = List.of();
    private volatile long readAt;

    /** @param tap the node's TAP device, whose (overlay) address is never offered as an underlay one */
    public LocalCandidates(InetAddress bind, int port, String tap, StunClient stun) {
        this.bind = bind;
        this.port = port;
        this.tap = tap;
        this.stun = stun;
    }

    @Override
    public List<String> get() {
        List<String> out = new ArrayList<>(MAX);
        stun.reflexive().filter(e -> e.address().getAddress() instanceof Inet4Address)
                .ifPresent(e -> out.add(e.toString()));
        for (String h : hosts()) {
            if (out.size() < MAX && !out.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }

    private List<String> hosts() {
        long now = System.currentTimeMillis();
        if (now - readAt > REFRESH_MILLIS) {
            hosts = readHosts();
            readAt = now;
        }
        return hosts;
    }

    private List<String> readHosts() {
        List<String> out = new ArrayList<>();
        if (!bind.isAnyLocalAddress()) {
            if (bind instanceof Inet4Address) {
                out.add(Endpoint.of(bind, port).toString());
            }
            return out;
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback() || nif.getName().equals(tap)) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        out.add(Endpoint.of(a, port).toString());
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }
}
