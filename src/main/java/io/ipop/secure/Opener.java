package io.ipop.secure;

import io.ipop.wire.FrameHeader;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens inbound {@link SecureChannel} datagrams of one link.
 *
 * <p>Inbound flow: 1. length, type and version; 2. counter against the {@link ReplayWindow} (cheap
 * reject, no state change); 3. AES-256-GCM decrypt and tag check with header + counter as AAD;
 * 4. only then mark the counter seen, so forged datagrams cannot move the window.
 *
 * <p>Not thread-safe: one per link, used by the one inbound thread. The receiver index is not checked
 * here (the caller used it to find this link); it is authenticated as part of the AAD.
 */
public final class Opener {
    /** Too short, not a secure data frame, tag check failed: count as malformed/forged. */
    public static final int REJECTED = -1;
    /** Authentic-looking counter already seen or too far behind the window: count as replay. */
    public static final int REPLAYED = -2;

    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[SecureChannel.NONCE_LENGTH];
    private final ReplayWindow window = new ReplayWindow();

    /** Copies {@code key} and {@code salt}. */
    public Opener(byte[] key, byte[] salt) {
        SecureChannel.checkKey(key, salt);
        this.key = new SecretKeySpec(key, "AES");
        System.arraycopy(salt, 0, nonce, 0, salt.length);
        try {
            cipher = Cipher.getInstance(SecureChannel.TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without AES/GCM", e);
        }
    }

    /**
     * The highest counter opened so far. Read by other threads than the owner only as an estimate (for
     * the rekey limit): a stale value is harmless there.
     */
    public long highest() {
        return window.highest();
    }

    /**
     * Opens {@code datagram[0, length)} (not modified, not kept) into {@code out[0, n)}.
     *
     * @param out a different array of at least {@code length - SecureChannel.OVERHEAD} bytes; its
     *            contents are unspecified when the result is negative
     * @return n, the frame length, or {@link #REJECTED} or {@link #REPLAYED}
     */
    public int open(byte[] datagram, int length, byte[] out) {
        int n = length - SecureChannel.OVERHEAD;
        if (n < 0 || (datagram[0] & 0xFF) != SecureChannel.SECURE_DATA || (datagram[1] & 0xFF) != FrameHeader.VERSION) {
            return REJECTED;
        }
        if (out.length < n) {
            throw new IllegalArgumentException("output buffer of " + out.length + " bytes for a " + n + "-byte frame");
        }
        long counter = SecureChannel.readLong(datagram, SecureChannel.COUNTER_OFFSET);
        if (counter < 0 || counter >= SecureChannel.MAX_COUNTER) {
            return REJECTED;
        }
        if (!window.check(counter)) {
            return REPLAYED;
        }
        SecureChannel.writeLong(nonce, SessionKeys.SALT_LENGTH, counter);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(SecureChannel.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(datagram, 0, SecureChannel.AAD_LENGTH);
            cipher.doFinal(datagram, SecureChannel.AAD_LENGTH, length - SecureChannel.AAD_LENGTH, out, 0);
        } catch (AEADBadTagException e) {
            return REJECTED;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM open failed", e);
        }
        window.update(counter);
        return n;
    }
}
