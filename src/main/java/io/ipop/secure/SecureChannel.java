package io.ipop.secure;

import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;

/**
 * The framing of data on a secure link: one Ethernet frame per datagram, sealed with AES-256-GCM
 * (JDK {@code Cipher}, which uses AES-NI) under the {@link SessionKeys} exported from the DTLS handshake.
 *
 * <pre>
 *  0        1         2 .. 3     4 .. 7             8 .. 15            16 .. n-17          n-16 .. n-1
 * +--------+---------+----------+------------------+------------------+-------------------+-----------+
 * |  type  | version | epoch,0  | receiver index   | counter          | ciphertext        | GCM tag   |
 * |  0xA4  |   (1)   |  (u8,u8) | (u32, BE)        | (u64, BE)        | (frame length)    | (16)      |
 * +--------+---------+----------+------------------+------------------+-------------------+-----------+
 *  \_______________ our 8-byte frame header ______/
 *  \________________________ AAD (16 bytes) ________________________/
 *
 *  nonce (12 bytes) = sender's 4-byte salt || 8-byte counter
 * </pre>
 *
 * The epoch (byte 2) numbers the keys a frame is sealed under: 0 from the link's handshake, one more
 * (mod 256) after each rekey ({@link LinkCipher}); byte 3 stays 0. The counter is per direction and epoch, starts at 0, and never repeats under one key ({@link Sealer} stops at
 * {@link #MAX_COUNTER}); the receiver rejects replays with a {@link ReplayWindow} after authentication.
 */
public final class SecureChannel {
    /** Frame type of a sealed data frame. */
    public static final int SECURE_DATA = FrameType.SECURE_DATA.code();
    public static final int COUNTER_OFFSET = FrameHeader.LENGTH;
    public static final int AAD_LENGTH = COUNTER_OFFSET + 8;
    public static final int TAG_LENGTH = 16;
    /** Bytes a sealed datagram adds to the frame: header, counter and tag. */
    public static final int OVERHEAD = AAD_LENGTH + TAG_LENGTH;
    /** Counters are below 2^62: a link must rekey before (at 10 M packets/s that is 14,000 years). */
    public static final long MAX_COUNTER = 1L << 62;

    static final String TRANSFORMATION = "AES/GCM/NoPadding";
    static final int NONCE_LENGTH = 12;

    private SecureChannel() {
    }

    /** The sealer for our direction of a link; {@code remoteIndex} is the index the peer handed out. */
    public static Sealer sealer(SessionKeys keys, int remoteIndex) {
        return sealer(keys, remoteIndex, 0);
    }

    /** The sealer for our direction of a link under the keys of {@code epoch} (0..255). */
    public static Sealer sealer(SessionKeys keys, int remoteIndex, int epoch) {
        return new Sealer(keys.sendKey(), keys.sendSalt(), remoteIndex, 0, epoch);
    }

    /** The opener for the peer's direction of a link. */
    public static Opener opener(SessionKeys keys) {
        return new Opener(keys.receiveKey(), keys.receiveSalt());
    }

    /** The 8-byte header; byte 3 stays 0 in a fresh array. */
    static void writeHeader(byte[] buf, int receiverIndex, int epoch) {
        buf[0] = (byte) SECURE_DATA;
        buf[1] = (byte) FrameHeader.VERSION;
        buf[2] = (byte) epoch;
        buf[4] = (byte) (receiverIndex >>> 24);
        buf[5] = (byte) (receiverIndex >>> 16);
        buf[6] = (byte) (receiverIndex >>> 8);
        buf[7] = (byte) receiverIndex;
    }

    static void writeLong(byte[] buf, int offset, long v) {
        for (int i = 7; i >= 0; i--) {
            buf[offset + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long readLong(byte[] buf, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[offset + i] & 0xFF);
        }
        return v;
    }

    static void checkKey(byte[] key, byte[] salt) {
        if (key.length != SessionKeys.KEY_LENGTH || salt.length != SessionKeys.SALT_LENGTH) {
            throw new IllegalArgumentException("need a " + SessionKeys.KEY_LENGTH + "-byte key and a "
                    + SessionKeys.SALT_LENGTH + "-byte salt");
        }
    }
}
