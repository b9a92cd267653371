package io.ipop.secure;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * One DTLS 1.2 handshake (RFC 6347) with mutual certificate authentication, whose only output is the
 * link's {@link SessionKeys}: data frames never go through the DTLS record layer (see {@link SecureChannel}).
 *
 * <p>Flow: 1. {@link #start} submits the blocking BC handshake ({@code DTLSClientProtocol.connect} or
 * {@code DTLSServerProtocol.accept}) to the executor; 2. datagrams from the peer are fed in with
 * {@link #receive}, datagrams for the peer (each flight packed by {@link DatagramQueue}) leave through
 * {@code sendToPeer} on the handshake thread; BC retransmits lost flights itself (RFC 6347 §4.2.4:
 * after 1 s, then doubling); 3. both certificates are checked by
 * {@link DtlsPeer#verify}; 4. at completion the keys are exported (RFC 5705) and {@link #result()}
 * completes (a server completes it before its last flight, its Finished, leaves, so whatever runs on the
 * keys synchronously is done before the client can know the handshake is over); 5. a server then lingers, answering retransmissions of the client's last flight
 * (RFC 6347 §4.2.4: our Finished may have been lost) until {@link #cancel()} or the deadline.
 *
 * <p>Threads: one executor thread per handshake, blocked for at most {@code timeout} (a server holds it
 * until cancel or the deadline). A JDK delay-scheduler task enforces the deadline even if the executor
 * never runs the handshake. {@link #result()} completes on the handshake thread, on the thread calling
 * {@link #cancel()}, or on the common pool (timeout): continue with *Async stages or pipeToSelf.
 * Bouncy Castle's DTLS has no non-blocking form (docs/architecture.md, "Why the DTLS handshake is not
 * sans-IO"), so this class is where a handshake blocks, and {@link #executor} is the bound on how many do.
 */
public final class DtlsHandshake {

    public enum Role { CLIENT, SERVER }

    /**
     * The threads handshakes run on: at most {@code maxHandshakes} at once, no queue. With all busy, a new
     * handshake fails at once ({@link #start}: "handshake executor rejected the task") and its link retries
     * with backoff, so nothing piles up threads or waits behind a stuck handshake; each thread is held for at
     * most its handshake's timeout. Idle threads end after 30 s. Shut it down with the node.
     */
    public static ExecutorService executor(int maxHandshakes) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, maxHandshakes, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "ipop-dtls-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private final Role role;
    private final DatagramQueue transport;
    private final DtlsPeer peer;
    private final Duration timeout;
    private final CompletableFuture<SessionKeys> result = new CompletableFuture<>();

    private DtlsHandshake(Role role, DatagramQueue transport, DtlsPeer peer, Duration timeout) {
        this.role = role;
        this.transport = transport;
        this.peer = peer;
        this.timeout = timeout;
    }

    /**
     * Starts a handshake; never blocks.
     *
     * @param expectedPeerCertificateDer the certificate the peer presented in its verified hello; copied
     * @param sendToPeer                 called on the handshake thread with a fresh array per datagram (one
     *                                   or more DTLS records, the callee owns it); must not block for long
     * @param maxRecordSize              largest DTLS datagram either way (UDP payload minus our frame header)
     */
    public static DtlsHandshake start(Role role, NodeIdentity local, byte[] expectedPeerCertificateDer,
                                      Consumer<byte[]> sendToPeer, Executor executor, Duration timeout,
                                      int maxRecordSize) {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(sendToPeer, "sendToPeer");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxRecordSize < 256) {
            throw new IllegalArgumentException("maxRecordSize too small for DTLS: " + maxRecordSize);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        DtlsPeer peer = new DtlsPeer(new JcaTlsCryptoProvider().create(new SecureRandom()), local,
                expectedPeerCertificateDer, deadline);
        DtlsHandshake handshake = new DtlsHandshake(role, new DatagramQueue(sendToPeer, maxRecordSize), peer, timeout);
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(handshake::expire);
        try {
            executor.execute(handshake::run);
        } catch (RejectedExecutionException e) {
            handshake.fail(new DtlsException(DtlsException.Reason.PROTOCOL, "handshake executor rejected the task", e));
        }
        return handshake;
    }

    /**
     * A DTLS datagram from the peer (our frame header already removed; it may hold several records).
     * Any thread; copies; never blocks. Deliver in arrival order (e.g. from the link's actor). False if
     * it was dropped: the handshake (or a server's linger) is over, its queue is full, or the datagram is
     * empty or too big.
     */
    public boolean receive(byte[] datagram) {
        return transport.offer(datagram);
    }

    public Role role() {
        return role;
    }

    /**
     * Whether a DTLS datagram starts a new handshake: its first record is a handshake record (content type
     * 22) of epoch 0 holding a ClientHello (RFC 6347 §4.1, §4.2.2). Lets a server whose link is up tell a
     * client that starts over from a retransmission of the client's last flight (which {@link #receive}
     * answers while the server lingers).
     */
    public static boolean isClientHello(byte[] datagram) {
        return datagram.length > 13 && datagram[0] == 22 && datagram[3] == 0 && datagram[4] == 0 && datagram[13] == 1;
    }

    /** Completes with the keys, or exceptionally with a {@link DtlsException}. */
    public CompletableFuture<SessionKeys> result() {
        return result;
    }

    /**
     * Stops the handshake (or a server's linger) promptly: the transport is closed, which wakes the
     * handshake thread, and nothing more is sent. Fails {@link #result()} with CANCELLED if not done.
     */
    public void cancel() {
        fail(new DtlsException(DtlsException.Reason.CANCELLED, "handshake cancelled"));
    }

    private void expire() {
        fail(new DtlsException(DtlsException.Reason.TIMEOUT, "handshake timed out after " + timeout.toMillis() + " ms"));
    }

    private void fail(DtlsException e) {
        result.completeExceptionally(e);
        transport.cancel();
    }

    private void run() {
        if (result.isDone()) {
            return;
        }
        try {
            if (role == Role.CLIENT) {
                new DTLSClientProtocol().connect(new DtlsClient(peer), transport);
                transport.flush();
                complete();
            } else {
                DTLSTransport dtls = new DTLSServerProtocol().accept(new DtlsServer(peer), transport);
                complete();                             // before our Finished leaves: what waits on the keys
                transport.flush();                      // (a rekey's) has them before the client can use them
                linger(dtls);
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(classify(e));
        } finally {
            transport.close();
        }
    }

    private void complete() {
        if (peer.keys() == null) {
            result.completeExceptionally(new DtlsException(DtlsException.Reason.PROTOCOL, "handshake ended without keys"));
        } else {
            result.complete(peer.keys());
        }
    }

    /** Reading the DTLS transport makes BC answer a retransmitted client flight; returns once closed. */
    private void linger(DTLSTransport dtls) {
        byte[] buf = new byte[transport.getReceiveLimit()];
        try {
            while (!transport.isClosed()) {
                dtls.receive(buf, 0, buf.length, 1000);
            }
        } catch (IOException e) {
            // closed by cancel() or the deadline: the linger is over
        }
    }

    /** Only matters when the result is still open: after cancel() or the deadline it already failed. */
    private DtlsException classify(Throwable e) {
        if (peer.rejection() != null) {
            return new DtlsException(DtlsException.Reason.BAD_PEER_CERTIFICATE, peer.rejection(), e);
        }
        if (e instanceof TlsTimeoutException) {
            return new DtlsException(DtlsException.Reason.TIMEOUT, "handshake timed out after " + timeout.toMillis() + " ms", e);
        }
        if (e instanceof TlsFatalAlertReceived alert) {
            return new DtlsException(DtlsException.Reason.PEER_ALERT,
                    "peer aborted the handshake: " + AlertDescription.getText(alert.getAlertDescription()), e);
        }
        return new DtlsException(DtlsException.Reason.PROTOCOL, "handshake failed: " + e, e);
    }
}
