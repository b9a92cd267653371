package io.ipop.netns;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a prepared corpus of datagrams ({@link HostileCorpus#write}) at one UDP address, fast, from many
 * source ports. Run inside the attacker's namespace with the test classpath:
 *
 * <pre>
 * java -cp CP io.ipop.netns.Flooder CORPUS TARGET_IP PORT SOURCE_PORTS ROUNDS RATE LIMIT_SECONDS
 * </pre>
 *
 * It sends the corpus {@code ROUNDS} times in order, datagram {@code i} from source socket
 * {@code i % SOURCE_PORTS}, at most {@code RATE} datagrams a second (0: as fast as the socket takes
 * them), and stops early after {@code LIMIT_SECONDS}. Last line: {@code sent=N errors=E seconds=S}.
 * Replies (e.g. {@code con_rej}) are never read; the kernel discards them when the buffers fill.
 */
public final class Flooder {
    private Flooder() {
    }

    public static void main(String[] args) throws IOException {
        List<ByteBuffer> corpus = read(Path.of(args[0]));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        int sources = Integer.parseInt(args[3]);
        long rounds = Long.parseLong(args[4]);
        long rate = Long.parseLong(args[5]);
        long deadline = System.nanoTime() + Long.parseLong(args[6]) * 1_000_000_000L;

        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < sources; i++) {
                DatagramChannel ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress(0));
                channels.add(ch);
            }
            long sent = 0;
            long errors = 0;
            long t0 = System.nanoTime();
            outer:
            for (long r = 0; r < rounds; r++) {
                for (int i = 0; i < corpus.size(); i++) {
                    if ((sent & 255) == 0) {
                        long now = System.nanoTime();
                        if (now > deadline) {
                            break outer;
                        }
                        if (rate > 0) {
                            long due = t0 + sent * 1_000_000_000L / rate;
                            if (due > now) {
                                LockSupport.parkNanos(due - now);
                            }
                        }
                    }
                    ByteBuffer b = corpus.get(i).duplicate();
                    try {
                        channels.get((int) (sent % sources)).send(b, target);
                    } catch (IOException e) {
                        errors++;
                    }
                    sent++;
                }
            }
            System.out.printf("sent=%d errors=%d seconds=%.3f%n", sent, errors, (System.nanoTime() - t0) / 1e9);
        } finally {
            for (DatagramChannel ch : channels) {
                ch.close();
            }
        }
    }

    private static List<ByteBuffer> read(Path file) throws IOException {
        List<ByteBuffer> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            while (true) {
                int n;
                try {
                    n = in.readInt();
                } catch (EOFException e) {
                    return out;
                }
                byte[] d = new byte[n];
                in.readFully(d);
                out.add(ByteBuffer.wrap(d).asReadOnlyBuffer());
            }
        }
    }
}
