package io.ipop.secure;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals outbound frames of one link into {@link SecureChannel} datagrams.
 *
 * <p>Outbound flow: 1. header with the peer's receiver index; 2. next counter; 3. nonce = salt ||
 * counter; 4. AES-256-GCM over the frame with header + counter as AAD.
 *
 * <p>Not thread-safe: one per link, used by the one outbound thread (the counter must never repeat).
 */
public final class Sealer {
    private final SecretKeySpec key;
    private final int remoteIndex;
    private final int epoch;
    private final Cipher cipher;
    private final byte[] nonce = new byte[SecureChannel.NONCE_LENGTH];
    private long counter;

    /** Copies {@code key} and {@code salt}. */
    public Sealer(byte[] key, byte[] salt, int remoteIndex) {
        this(key, salt, remoteIndex, 0, 0);
    }

    /** Starting elsewhere than 0 exists for tests of the counter limit. */
    Sealer(byte[] key, byte[] salt, int remoteIndex, long firstCounter) {
        this(key, salt, remoteIndex, firstCounter, 0);
    }

    /** {@code epoch}: the key epoch its frames name (byte 2, see {@link LinkCipher}). */
    Sealer(byte[] key, byte[] salt, int remoteIndex, long firstCounter, int epoch) {
        SecureChannel.checkKey(key, salt);
        this.key = new SecretKeySpec(key, "AES");
        this.remoteIndex = remoteIndex;
        this.epoch = epoch;
        this.counter = firstCounter;
        System.arraycopy(salt, 0, nonce, 0, salt.length);
        try {
            cipher = Cipher.getInstance(SecureChannel.TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without AES/GCM", e);
        }
    }

    /** Frames sealed so far (the next counter); read under the owner's lock. */
    public long sealed() {
        return counter;
    }

    /**
     * Seals {@code frame[offset, offset+length)} (not modified, not kept) into a new array of exactly
     * {@code length + SecureChannel.OVERHEAD} bytes, owned by the caller.
     *
     * @throws IllegalStateException after {@link SecureChannel#MAX_COUNTER} seals: the link must rekey
     */
    public byte[] seal(byte[] frame, int offset, int length) {
        if (counter >= SecureChannel.MAX_COUNTER) {
            throw new IllegalStateException("counter exhausted: the link must rekey");
        }
        long n = counter++;
        byte[] out = new byte[length + SecureChannel.OVERHEAD];
        SecureChannel.writeHeader(out, remoteIndex, epoch);
        SecureChannel.writeLong(out, SecureChannel.COUNTER_OFFSET, n);
        SecureChannel.writeLong(nonce, SessionKeys.SALT_LENGTH, n);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(SecureChannel.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(out, 0, SecureChannel.AAD_LENGTH);
            cipher.doFinal(frame, offset, length, out, SecureChannel.AAD_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM seal failed", e);
        }
        return out;
    }
}
