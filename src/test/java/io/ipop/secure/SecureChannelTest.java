package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sealed data framing, with keys split as the DTLS exporter would. */
class SecureChannelTest {
    private static final int INDEX = 0x01020304;

    private final SessionKeys client;
    private final SessionKeys server;

    SecureChannelTest() {
        byte[] material = new byte[SessionKeys.EXPORTER_LENGTH];
        new Random(7).nextBytes(material);
        client = SessionKeys.fromExporter(material.clone(), false, "test");
        server = SessionKeys.fromExporter(material, true, "test");
    }

    @Test
    void exporterOutputIsSplitAsDocumented() {
        byte[] material = new byte[SessionKeys.EXPORTER_LENGTH];
        for (int i = 0; i < material.length; i++) {
            material[i] = (byte) i;
        }
        SessionKeys c = SessionKeys.fromExporter(material.clone(), false, "s");
        SessionKeys s = SessionKeys.fromExporter(material.clone(), true, "s");
        assertEquals(0, c.sendKey()[0]);
        assertEquals(32, c.receiveKey()[0]);
        assertArrayEquals(new byte[] {64, 65, 66, 67}, c.sendSalt());
        assertArrayEquals(new byte[] {68, 69, 70, 71}, c.receiveSalt());
        assertArrayEquals(c.sendKey(), s.receiveKey());
        assertArrayEquals(c.receiveSalt(), s.sendSalt());
    }

    @Test
    void roundTripsEmptyAndFullSizeFrames() {
        Sealer sealer = SecureChannel.sealer(client, INDEX);
        Opener opener = SecureChannel.opener(server);
        byte[] out = new byte[2048];

        byte[] empty = sealer.seal(new byte[0], 0, 0);
        assertEquals(SecureChannel.OVERHEAD, empty.length);
        assertEquals(0, opener.open(empty, empty.length, out));

        byte[] buffer = frame(1400 + 10);
        byte[] sealed = sealer.seal(buffer, 10, 1400);
        assertEquals(1400 + 32, sealed.length);
        assertEquals(1400, opener.open(sealed, sealed.length, out));
        assertArrayEquals(Arrays.copyOfRange(buffer, 10, 1410), Arrays.copyOf(out, 1400));
    }

    @Test
    void headerIsAsSpecifiedAndThePlaintextDoesNotShow() {
        Sealer sealer = SecureChannel.sealer(client, INDEX);
        byte[] frame = frame(200);
        sealer.seal(frame, 0, frame.length);
        byte[] d = sealer.seal(frame, 0, frame.length);
        assertArrayEquals(new byte[] {(byte) 0xA4, 1, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 1}, Arrays.copyOf(d, 16));
        for (int i = 0; i + 8 <= frame.length; i++) {
            byte[] piece = Arrays.copyOfRange(frame, i, i + 8);
            for (int j = 0; j + 8 <= d.length; j++) {
                assertFalse(Arrays.equals(piece, Arrays.copyOfRange(d, j, j + 8)), "plaintext at " + j);
            }
        }
    }

    @Test
    void anySingleFlippedBitIsRejected() {
        byte[] d = SecureChannel.sealer(client, INDEX).seal(frame(64), 0, 64);
        Opener opener = SecureChannel.opener(server);
        byte[] out = new byte[64];
        for (int bit = 0; bit < d.length * 8; bit++) {
            byte[] tampered = d.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(Opener.REJECTED, opener.open(tampered, tampered.length, out), "bit " + bit);
        }
        assertEquals(64, opener.open(d, d.length, out), "forgeries must not move the replay window");
    }

    @Test
    void replaysAreRejectedAndReorderingWithinTheWindowIsAccepted() {
        Sealer sealer = SecureChannel.sealer(client, INDEX);
        Opener opener = SecureChannel.opener(server);
        byte[][] sealed = new byte[3000][];
        for (int i = 0; i < sealed.length; i++) {
            sealed[i] = sealer.seal(frame(20), 0, 20);
        }
        byte[] out = new byte[20];
        for (int i : new int[] {9, 3, 0, 5, 1}) {
            assertEquals(20, opener.open(sealed[i], sealed[i].length, out), "counter " + i);
        }
        assertEquals(Opener.REPLAYED, opener.open(sealed[3], sealed[3].length, out));
        assertEquals(20, opener.open(sealed[2999], sealed[2999].length, out));
        assertEquals(Opener.REPLAYED, opener.open(sealed[2999], sealed[2999].length, out));
        assertEquals(20, opener.open(sealed[2999 - 2000], sealed[999].length, out), "within the 2048 window");
        assertEquals(Opener.REPLAYED, opener.open(sealed[2], sealed[2].length, out), "behind the window");
    }

    @Test
    void theOtherDirectionsKeyOrAWrongSaltFails() {
        byte[] d = SecureChannel.sealer(client, INDEX).seal(frame(50), 0, 50);
        byte[] out = new byte[50];
        assertEquals(Opener.REJECTED, SecureChannel.opener(client).open(d, d.length, out));
        assertEquals(Opener.REJECTED, new Opener(server.receiveKey(), new byte[] {9, 9, 9, 9}).open(d, d.length, out));
        assertEquals(50, SecureChannel.opener(server).open(d, d.length, out));
    }

    @Test
    void shortOrForeignDatagramsAreRejected() {
        Opener opener = SecureChannel.opener(server);
        byte[] d = SecureChannel.sealer(client, INDEX).seal(frame(10), 0, 10);
        assertEquals(Opener.REJECTED, opener.open(d, SecureChannel.OVERHEAD - 1, new byte[10]));
        byte[] plain = d.clone();
        plain[0] = (byte) 0xA2;
        assertEquals(Opener.REJECTED, opener.open(plain, plain.length, new byte[10]));
    }

    @Test
    void sealingStopsBeforeTheCounterLimit() {
        Sealer sealer = new Sealer(client.sendKey(), client.sendSalt(), INDEX, SecureChannel.MAX_COUNTER - 1);
        byte[] last = sealer.seal(new byte[1], 0, 1);
        assertEquals(1, SecureChannel.opener(server).open(last, last.length, new byte[1]));
        assertThrows(IllegalStateException.class, () -> sealer.seal(new byte[1], 0, 1));
    }

    private static byte[] frame(int length) {
        byte[] frame = new byte[length];
        for (int i = 0; i < length; i++) {
            frame[i] = (byte) ('a' + i % 26);
        }
        return frame;
    }
}
