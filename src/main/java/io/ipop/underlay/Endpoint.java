package io.ipop.underlay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** An underlay (outside) UDP address, {@code ip:port}. Never unresolved. */
public record Endpoint(InetSocketAddress address) {

    public Endpoint {
        if (address == null || address.isUnresolved()) {
            throw new IllegalArgumentException("endpoint must be a resolved address: " + address);
        }
    }

    public static Endpoint of(InetAddress ip, int port) {
        return new Endpoint(new InetSocketAddress(ip, port));
    }

    /**
     * Parses {@code host:port} (IPv4 literal or resolvable name) or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static Endpoint parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in \"" + text + "\"");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535 in \"" + text + "\"");
        }
        try {
            return of(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host \"" + host + "\"");
        }
    }

    @Override
    public String toString() {
        InetAddress ip = address.getAddress();
        String host = ip.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
