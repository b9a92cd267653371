package io.ipop.underlay;

import io.ipop.frame.OverlayAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An underlay (outside) UDP address, {@code ip:port}. Never unresolved. */
public record Endpoint(InetSocketAddress address) {
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    public Endpoint {
        if (address == null || address.isUnresolved()) {
            throw new IllegalArgumentException("endpoint must be a resolved address: " + address);
        }
    }

    public static Endpoint of(InetAddress ip, int port) {
        return new Endpoint(new InetSocketAddress(ip, port));
    }

    /**
     * Parses {@code host:port} (an IPv4 literal in full dotted form, or a resolvable name) or
     * {@code [v6]:port}.
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static Endpoint parse(String text) {
        String s = text.trim();
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("expected [ipv6]:port, got \"" + text + "\"");
            }
            host = s.substring(1, close);
            portText = s.substring(close + 2);
            if (host.indexOf(':') < 0) {
                // InetAddress would read [192.0.2]:80 as 192.0.0.2, or look a name up: brackets hold IPv6 only.
                throw new IllegalArgumentException("\"" + host + "\" in brackets is not an IPv6 address");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("write an IPv6 endpoint as [address]:port, got \"" + text + "\"");
            }
            if (DIGITS_AND_DOTS.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
                // InetAddress would read shorthand such as 192.0.2 as 192.0.0.2: refuse the typo instead.
                throw new IllegalArgumentException("\"" + host + "\" is not an IPv4 address (expected a.b.c.d)");
            }
        }
        if (!OverlayAddress.isAsciiNumber(portText, 5)) {
            throw new IllegalArgumentException("bad port in \"" + text + "\"");
        }
        int port = Integer.parseInt(portText);
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
