package io.ipop.bench;

import io.ipop.secure.LinkCipher;
import io.ipop.secure.SessionKeys;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The secure path's AEAD: {@link LinkCipher#seal} (outbound) and {@link LinkCipher#open} (inbound) of
 * one frame with fixed random {@link SessionKeys}, and the JDK's AES-256-GCM against Bouncy Castle's
 * pure-Java GCM on the same 1400 bytes (why the data plane uses the JDK's).
 *
 * <p>{@code open} needs a fresh counter per datagram (the replay window rejects a repeat), so the
 * benchmark pre-seals a ring of {@value #RING} datagrams once per trial and opens the whole ring, in
 * order, per invocation with a new {@link LinkCipher} (fresh replay window) made in an untimed
 * per-invocation setup. One op = one datagram opened (decrypt + tag check + replay window), into a
 * reused output array.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBench {
    static final int RING = 8192;

    @State(Scope.Thread)
    public static class Seal {
        @Param({"64", "1400"})
        int size;
        LinkCipher cipher;
        byte[] frame;

        @Setup
        public void setup() {
            Random random = new Random(3);
            cipher = LinkCipher.of(Fixtures.linkKeys(random)[0], Fixtures.remoteIndex(1));
            frame = Fixtures.bytes(random, size);
        }
    }

    /** One frame sealed into a new SECURE_DATA datagram (header, counter, AES-256-GCM, tag). */
    @Benchmark
    public byte[] seal(Seal s) {
        return s.cipher.seal(s.frame, 0, s.frame.length);
    }

    @State(Scope.Thread)
    public static class Open {
        @Param({"64", "1400"})
        int size;
        SessionKeys receiverKeys;
        byte[][] ring;
        byte[] out;
        LinkCipher cipher;

        @Setup(Level.Trial)
        public void seal() {
            Random random = new Random(4);
            SessionKeys[] keys = Fixtures.linkKeys(random);
            receiverKeys = keys[0];
            LinkCipher sender = LinkCipher.of(keys[1], Fixtures.localIndex(1));
            ring = new byte[RING][];
            for (int i = 0; i < RING; i++) {
                ring[i] = sender.seal(Fixtures.bytes(random, size), 0, size);
            }
            out = new byte[size + 64];
        }

        /** Untimed: a new cipher, so the ring's counters are fresh to its replay window. */
        @Setup(Level.Invocation)
        public void freshCipher() {
            cipher = LinkCipher.of(receiverKeys, Fixtures.remoteIndex(1));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RING)
    public int open(Open s) {
        int total = 0;
        for (byte[] d : s.ring) {
            int n = s.cipher.open(d, d.length, s.out);
            if (n != s.size) {
                throw new IllegalStateException("open returned " + n);
            }
            total += n;
        }
        return total;
    }

    /**
     * AES-256-GCM of 1400 bytes with 16 bytes of AAD and a new 12-byte nonce per op, as {@code Sealer}
     * does it: JDK {@code Cipher} (HotSpot AES/GHASH intrinsics) or Bouncy Castle's {@link GCMBlockCipher}
     * over {@code AESEngine.newInstance()} (key schedule and GHASH tables kept between ops: its best case).
     */
    @State(Scope.Thread)
    public static class Gcm {
        final byte[] plain = Fixtures.bytes(new Random(5), 1400);
        final byte[] aad = Fixtures.bytes(new Random(6), 16);
        final byte[] out = new byte[1400 + 16];
        final byte[] nonce = Fixtures.bytes(new Random(7), 12);
        long counter;
        SecretKeySpec jdkKey;
        Cipher jdk;
        GCMModeCipher bc;

        @Setup
        public void setup() throws GeneralSecurityException {
            byte[] key = Fixtures.bytes(new Random(8), 32);
            jdkKey = new SecretKeySpec(key, "AES");
            jdk = Cipher.getInstance("AES/GCM/NoPadding");
            bc = GCMBlockCipher.newInstance(AESEngine.newInstance());
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nextNonce()));
        }

        /** Both ciphers refuse to encrypt twice under one nonce: count like the Sealer does. */
        byte[] nextNonce() {
            long c = counter++;
            for (int i = 11; i >= 4; i--) {
                nonce[i] = (byte) c;
                c >>>= 8;
            }
            return nonce;
        }
    }

    @Benchmark
    public byte[] gcm1400Jdk(Gcm s) throws GeneralSecurityException {
        s.jdk.init(Cipher.ENCRYPT_MODE, s.jdkKey, new GCMParameterSpec(128, s.nextNonce()));
        s.jdk.updateAAD(s.aad, 0, s.aad.length);
        s.jdk.doFinal(s.plain, 0, s.plain.length, s.out, 0);
        return s.out;
    }

    @Benchmark
    public byte[] gcm1400BouncyCastle(Gcm s) throws InvalidCipherTextException {
        s.bc.init(true, new AEADParameters(null, 128, s.nextNonce().clone()));
        s.bc.processAADBytes(s.aad, 0, s.aad.length);
        int n = s.bc.processBytes(s.plain, 0, s.plain.length, s.out, 0);
        s.bc.doFinal(s.out, n);
        return s.out;
    }
}
