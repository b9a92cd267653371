package io.ipop.underlay;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * {@code ipop.underlay}: the outside UDP socket; {@code offload}: send the segments of one
 * TCP super-frame in one system call (UDP_SEGMENT, see underlay.UdpOffload).
 */
public record UnderlaySettings(InetSocketAddress bind, int socketBuffer, boolean offload) {
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public static UnderlaySettings read(ConfigReader c) {
        String bind = c.string("bind");
        if (!IP_LITERAL.matcher(bind).matches()) {
            throw new ConfigProblem(c.path("bind"), "\"" + bind + "\" is not an IP address (use 0.0.0.0 for all)");
        }
        InetAddress ip;
        try {
            ip = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ConfigProblem(c.path("bind"), "\"" + bind + "\" is not an IP address (use 0.0.0.0 for all)");
        }
        if (bind.indexOf(':') < 0 && bind.split("\\.", -1).length != 4) {
            throw new ConfigProblem(c.path("bind"), "\"" + bind + "\" is not an IP address (use 0.0.0.0 for all)");
        }
        int port = c.intIn("port", 1, 65535);
        int buffer = (int) c.bytesIn("socket-buffer", 64 * 1024, 64L * 1024 * 1024);
        return new UnderlaySettings(new InetSocketAddress(ip, port), buffer, c.bool("offload"));
    }
}
