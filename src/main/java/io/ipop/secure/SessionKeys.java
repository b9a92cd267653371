package io.ipop.secure;

import java.util.Arrays;

/**
 * The data-plane keys of one secure link, exported from a finished DTLS 1.2 handshake with the
 * RFC 5705 exporter ({@link #EXPORTER_LABEL}, no context, {@link #EXPORTER_LENGTH} bytes):
 *
 * <pre>
 *  0 ........ 31   32 ....... 63   64 .. 67      68 .. 71
 *  client-write    server-write    client salt   server salt
 *  key (AES-256)   key (AES-256)
 * </pre>
 *
 * The client sends with the client-write key and salt, the server with the server-write ones, so
 * one side's {@code send*} equals the other side's {@code receive*}. The arrays are owned by this
 * record: callers must not modify them ({@link Sealer} and {@link Opener} copy what they keep).
 *
 * @param cipherSuite the negotiated DTLS suite, e.g. {@code TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
 *                    (for display: the data plane always uses AES-256-GCM, see {@link SecureChannel})
 */
public record SessionKeys(byte[] sendKey, byte[] sendSalt, byte[] receiveKey, byte[] receiveSalt, String cipherSuite) {

    public static final String EXPORTER_LABEL = "EXPORTER-ipop-node-data-v1";
    public static final int KEY_LENGTH = 32;
    public static final int SALT_LENGTH = 4;
    public static final int EXPORTER_LENGTH = 2 * KEY_LENGTH + 2 * SALT_LENGTH;

    public SessionKeys {
        if (sendKey.length != KEY_LENGTH || receiveKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("keys must be " + KEY_LENGTH + " bytes");
        }
        if (sendSalt.length != SALT_LENGTH || receiveSalt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("salts must be " + SALT_LENGTH + " bytes");
        }
    }

    /** Splits exporter output as drawn above; {@code server} says which side we are. Zeroes {@code material}. */
    public static SessionKeys fromExporter(byte[] material, boolean server, String cipherSuite) {
        if (material.length != EXPORTER_LENGTH) {
            throw new IllegalArgumentException("exporter output must be " + EXPORTER_LENGTH + " bytes");
        }
        byte[] clientKey = Arrays.copyOfRange(material, 0, KEY_LENGTH);
        byte[] serverKey = Arrays.copyOfRange(material, KEY_LENGTH, 2 * KEY_LENGTH);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * KEY_LENGTH, 2 * KEY_LENGTH + SALT_LENGTH);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * KEY_LENGTH + SALT_LENGTH, EXPORTER_LENGTH);
        Arrays.fill(material, (byte) 0);
        return server
                ? new SessionKeys(serverKey, serverSalt, clientKey, clientSalt, cipherSuite)
                : new SessionKeys(clientKey, clientSalt, serverKey, serverSalt, cipherSuite);
    }

    /** Zeroes the key material: for the last user, once {@link Sealer} and {@link Opener} copied it. */
    public void erase() {
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
        Arrays.fill(sendSalt, (byte) 0);
        Arrays.fill(receiveSalt, (byte) 0);
    }

    /** Key material is never printed. */
    @Override
    public String toString() {
        return "SessionKeys[cipherSuite=" + cipherSuite + ", keys=<redacted>]";
    }
}
