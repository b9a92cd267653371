package io.ipop.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A bounded TCP transfer that proves integrity: the sender streams pseudo-random bytes (xorshift from a
 * seed, so no two chunks are alike and a reordered or corrupted chunk changes the digest), both ends print
 * the SHA-256 of what they sent or received. Run inside a namespace with the test classpath:
 *
 * <pre>
 * java -cp CP io.ipop.netns.TcpTransfer recv BIND_IP PORT LIMIT_SECONDS
 * java -cp CP io.ipop.netns.TcpTransfer send DST_IP PORT BYTES SEED LIMIT_SECONDS [STOP_FILE]
 * </pre>
 *
 * The receiver prints {@code listening} once bound, then one line {@code bytes=N sha256=H seconds=S};
 * the sender prints the same line. With {@code STOP_FILE} the sender stops early (at a chunk boundary)
 * once that file exists. Every wait is bounded: no progress for 60 s or the whole transfer over
 * {@code LIMIT_SECONDS} exits 3 without a result line.
 */
public final class TcpTransfer {
    private static final int CHUNK = 64 * 1024;
    private static final int STALL_MILLIS = 60_000;

    private TcpTransfer() {
    }

    /** The result line both ends print. */
    record Result(long bytes, String sha256, double seconds) {
        static Result parse(String output) {
            for (String line : output.lines().toList()) {
                if (line.startsWith("bytes=")) {
                    String[] f = line.split(" ");
                    return new Result(Long.parseLong(f[0].substring(6)), f[1].substring(7), Double.parseDouble(f[2].substring(8)));
                }
            }
            throw new AssertionError("no transfer result in: " + output);
        }

        double mbitPerSecond() {
            return bytes * 8 / seconds / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        long limitNanos;
        switch (args[0]) {
            case "recv" -> {
                limitNanos = Long.parseLong(args[3]) * 1_000_000_000L;
                receive(InetAddress.getByName(args[1]), Integer.parseInt(args[2]), limitNanos);
            }
            case "send" -> {
                limitNanos = Long.parseLong(args[5]) * 1_000_000_000L;
                send(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])),
                        Long.parseLong(args[3]), Long.parseLong(args[4]), limitNanos,
                        args.length > 6 ? Path.of(args[6]) : null);
            }
            default -> throw new IllegalArgumentException("recv or send, not " + args[0]);
        }
    }

    private static void receive(InetAddress bind, int port, long limitNanos) throws IOException {
        long deadline = System.nanoTime() + limitNanos;
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(bind, port));
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limitNanos / 1_000_000));
            System.out.println("listening");
            System.out.flush();
            try (Socket s = server.accept()) {
                s.setSoTimeout(STALL_MILLIS);
                s.setReceiveBufferSize(4 * 1024 * 1024);
                MessageDigest sha = sha256();
                byte[] buf = new byte[CHUNK];
                long total = 0;
                long t0 = System.nanoTime();
                InputStream in = s.getInputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    sha.update(buf, 0, n);
                    total += n;
                    if (System.nanoTime() > deadline) {
                        fail("receive over its time limit after " + total + " bytes");
                    }
                }
                print(total, sha, t0);
            }
        } catch (SocketTimeoutException e) {
            fail("receive stalled: " + e.getMessage());
        }
    }

    private static void send(InetSocketAddress to, long bytes, long seed, long limitNanos, Path stopFile) throws IOException {
        long deadline = System.nanoTime() + limitNanos;
        try (Socket s = new Socket()) {
            s.setSendBufferSize(4 * 1024 * 1024);
            s.setSoTimeout(STALL_MILLIS);
            s.connect(to, 10_000);
            MessageDigest sha = sha256();
            byte[] buf = new byte[CHUNK];
            long state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
            long total = 0;
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            while (total < bytes) {
                if (stopFile != null && Files.exists(stopFile)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("send over its time limit after " + total + " bytes");
                }
                state = fill(buf, state);
                int n = (int) Math.min(CHUNK, bytes - total);
                out.write(buf, 0, n);       // blocks while the peer does not read: bounded by the kernel's
                sha.update(buf, 0, n);      // TCP user timeout and our overall deadline check per chunk
                total += n;
            }
            out.flush();
            s.shutdownOutput();
            // wait for the receiver to close, so the time covers delivery, not just buffering
            s.getInputStream().read();
            print(total, sha, t0);
        }
    }

    /** xorshift64* into {@code buf}; returns the new state. */
    static long fill(byte[] buf, long state) {
        long x = state;
        for (int i = 0; i < buf.length; i += 8) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            long v = x * 0x2545F4914F6CDD1DL;
            for (int j = 0; j < 8; j++) {
                buf[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return x;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void print(long total, MessageDigest sha, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("bytes=%d sha256=%s seconds=%.3f%n", total, HexFormat.of().formatHex(sha.digest()), seconds);
        System.out.flush();
    }

    private static void fail(String why) {
        System.out.println("failed: " + why);
        System.out.flush();
        System.exit(3);
    }
}
