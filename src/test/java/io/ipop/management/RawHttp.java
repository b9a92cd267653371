package io.ipop.management;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;

/**
 * Test helper: one HTTP/1.1 request written byte for byte, so a test can send what a browser or an attacker
 * sends ({@code Host}, {@code Origin}, {@code Sec-Fetch-Site}), which {@code java.net.http} does not allow.
 * Over TLS with an {@code SSLSocketFactory}.
 */
public final class RawHttp {
    private final SocketFactory sockets;
    private final int port;

    public RawHttp(SocketFactory sockets, int port) {
        this.sockets = sockets;
        this.port = port;
    }

    /** The answer: status, headers (lower-case names) and body. */
    public record Answer(int status, Map<String, String> headers, String body) {
    }

    /**
     * Sends {@code method path} to 127.0.0.1 with {@code headers} (name, value, name, value...); a {@code Host}
     * of 127.0.0.1:port unless {@code headers} has one; {@code Connection: close}.
     */
    public Answer send(String method, String path, String... headers) throws IOException {
        return send(method, path, "", headers);
    }

    /** {@link #send(String, String, String...)} with a form body ({@code application/x-www-form-urlencoded}). */
    public Answer sendForm(String method, String path, String form, String... headers) throws IOException {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Content-Type";
        all[headers.length + 1] = "application/x-www-form-urlencoded";
        return send(method, path, form, all);
    }

    private Answer send(String method, String path, String body, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (int i = 0; i < headers.length; i += 2) {
            host |= headers[i].equalsIgnoreCase("Host");
            req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (!host) {
            req.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            req.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n").append(body);
        try (Socket s = sockets.createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Answer parse(String raw) throws IOException {
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("not an HTTP answer: " + raw);
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, raw.substring(end + 4));
    }
}
