package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Rekeying a link's cipher in place: both sides keep sending under the current keys until they have proof
 * the peer holds the new ones; frames sealed under the old keys still open during the overlap, then not;
 * nothing sent across a switch is lost. A client c and a server s, a clock by hand.
 */
class LinkCipherRekeyTest {
    private static final Duration OVERLAP = Duration.ofSeconds(5);

    private final AtomicLong now = new AtomicLong();
    private final Random random = new Random(11);
    private final byte[] out = new byte[2048];
    private LinkCipher c;
    private LinkCipher s;

    LinkCipherRekeyTest() {
        SessionKeys[] k = keys();
        c = LinkCipher.of(k[0], 42, now::get, OVERLAP);
        s = LinkCipher.of(k[1], 17, now::get, OVERLAP);
    }

    @Test
    void aRekeySwitchesBothWaysWithoutLosingAFrameSentAcrossIt() {
        List<byte[]> inFlightToS = new ArrayList<>();
        List<byte[]> inFlightToC = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlightToS.add(c.seal(frame(100), 0, 100));        // sealed under epoch 0, delivered late
            inFlightToC.add(s.seal(frame(100), 0, 100));
        }
        SessionKeys[] next = keys();
        s.prepare(next[1]);                                       // the server finishes first
        c.prepare(next[0]);
        assertEquals(0, c.epoch(), "prepared keys are not used to send before the peer proves it holds them");
        assertEquals(0, c.seal(frame(10), 0, 10)[2]);
        assertTrue(c.switching());

        byte[] probe = c.sealProbe();                            // the client tells the server it holds them
        assertEquals(1, probe[2]);
        assertEquals(0, s.open(probe, probe.length, out));
        assertEquals(1, s.epoch(), "the server switched on the probe");
        assertEquals(1, s.rekeys());

        byte[] fromS = s.seal(frame(200), 0, 200);
        assertEquals(1, fromS[2]);
        assertEquals(0, c.epoch(), "the client still sends under epoch 0 ...");
        assertEquals(200, c.open(fromS, fromS.length, out));
        assertEquals(1, c.epoch(), "... until the server's frames show it switched");
        assertFalse(c.switching());

        for (byte[] late : inFlightToS) {
            assertEquals(100, s.open(late, late.length, out), "old keys still open frames in flight");
        }
        for (byte[] late : inFlightToC) {
            assertEquals(100, c.open(late, late.length, out));
        }
        byte[] frame = frame(300);
        byte[] sealed = c.seal(frame, 0, 300);
        assertEquals(300, s.open(sealed, sealed.length, out));
        assertArrayEquals(Arrays.copyOf(frame, 300), Arrays.copyOf(out, 300));
    }

    @Test
    void oldKeysAreErasedAfterTheOverlapWithoutUse() {
        byte[] oldFrame = c.seal(frame(50), 0, 50);
        byte[] used = c.seal(frame(50), 0, 50);
        rekey();
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertEquals(50, s.open(used, used.length, out), "within the overlap; use extends it");
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertTrue(s.holdsPreviousKeys());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        s.expireOld();
        assertFalse(s.holdsPreviousKeys(), "erased 5 s after their last use");
        assertEquals(LinkCipher.REJECTED, s.open(oldFrame, oldFrame.length, out));
    }

    @Test
    void aFrameForKeysNotHeldIsRejectedAndAReplayAcrossTheSwitchIsStillAReplay() {
        byte[] once = c.seal(frame(40), 0, 40);
        assertEquals(40, s.open(once, once.length, out));
        rekey();
        assertEquals(LinkCipher.REPLAY, s.open(once, once.length, out), "the old window goes with the old keys");
        byte[] forged = c.seal(frame(40), 0, 40);
        forged[2] = 7;                                           // an epoch nobody holds (and the AAD changed)
        assertEquals(LinkCipher.REJECTED, s.open(forged, forged.length, out));
        byte[] tampered = c.seal(frame(40), 0, 40);
        tampered[2] = 0;                                         // claims the old epoch: the tag does not verify
        assertEquals(LinkCipher.REJECTED, s.open(tampered, tampered.length, out));
        assertEquals(1, s.epoch());
    }

    @Test
    void keysAreDueByAgeOrByFramesAndFreshAfterASwitch() {
        assertFalse(c.due(Duration.ofSeconds(10)));
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(c.due(Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(10), c.keyAge());
        rekey();
        assertEquals(Duration.ZERO, c.keyAge());
        assertFalse(c.due(Duration.ofSeconds(10)));
        assertEquals(1, c.rekeys());
    }

    @Test
    void aSecondPrepareBeforeTheSwitchReplacesTheFirstAndNoProbeWithoutIt() {
        assertNull(c.sealProbe());
        c.prepare(keys()[0]);
        SessionKeys[] again = keys();
        c.prepare(again[0]);                                      // the first rekey's switch never came
        s.prepare(again[1]);
        byte[] probe = c.sealProbe();
        assertEquals(0, s.open(probe, probe.length, out));
        assertEquals(1, s.epoch());
    }

    @Test
    void preparedKeysAreErasedFromTheSessionKeys() {
        SessionKeys[] next = keys();
        c.prepare(next[0]);
        assertArrayEquals(new byte[SessionKeys.KEY_LENGTH], next[0].sendKey());
        assertArrayEquals(new byte[SessionKeys.KEY_LENGTH], next[0].receiveKey());
    }

    private void rekey() {
        SessionKeys[] next = keys();
        s.prepare(next[1]);
        c.prepare(next[0]);
        byte[] probe = c.sealProbe();
        assertEquals(0, s.open(probe, probe.length, out));
        byte[] keepalive = s.seal(new byte[0], 0, 0);
        assertEquals(0, c.open(keepalive, keepalive.length, out));
    }

    private SessionKeys[] keys() {
        byte[] material = new byte[SessionKeys.EXPORTER_LENGTH];
        random.nextBytes(material);
        return new SessionKeys[] {SessionKeys.fromExporter(material.clone(), false, "test"),
            SessionKeys.fromExporter(material, true, "test")};
    }

    private byte[] frame(int n) {
        byte[] f = new byte[n];
        random.nextBytes(f);
        return f;
    }
}
