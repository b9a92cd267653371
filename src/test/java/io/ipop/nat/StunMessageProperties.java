package io.ipop.nat;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.underlay.Endpoint;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StunMessage#parse} on arbitrary datagrams: it returns a message or throws {@link StunException},
 * nothing else; what it accepts is shaped like STUN and consistent with its length field; and every
 * response our responder builds parses back to the address it was built for.
 *
 * <p>Randomized with {@link io.ipop.RandomInput}: each try's input is drawn from a per-try seed, so a
 * failure names the try, its seed and its input.
 */
class StunMessageProperties {
    private static final long SEED = 0x5354_554E_2112_A442L;

    @Test
    void parseAnswersAMessageOrStunExceptionOnAnyBytes() {
        int tries = 5000;
        Tally tally = new Tally();
        for (int i = 0; i < tries; i++) {
            long seed = seed(SEED, 1, i);
            Random random = new Random(seed);
            byte[] b = datagram(random);
            check(trial(i, tries, seed), () -> hex(b), () -> tally.count(parseOrRefuse(b)));
        }
        tally.assertBoth("random datagrams", 0.01);
    }

    @Test
    void mutatedResponsesParseOrAreRefused() {
        int tries = 5000;
        Tally tally = new Tally();
        for (int i = 0; i < tries; i++) {
            long seed = seed(SEED, 2, i);
            Random random = new Random(seed);
            byte[] b = StunMessage.bindingSuccess(tid(random), endpoint(random));
            int flips = between(random, 1, 4);
            for (int k = 0; k < flips; k++) {
                b[random.nextInt(b.length)] = anyByte(random);
            }
            int length = between(random, 0, b.length);
            check(trial(i, tries, seed), () -> hex(b) + " length=" + length,
                    () -> tally.count(parseOrRefuse(Arrays.copyOf(b, length))));
        }
        tally.assertBoth("mutated responses", 0.01);
    }

    @Test
    void responsesRoundTrip() {
        int tries = 3000;
        for (int i = 0; i < tries; i++) {
            long seed = seed(SEED, 3, i);
            Random random = new Random(seed);
            byte[] tid = tid(random);
            Endpoint mapped = endpoint(random);
            check(trial(i, tries, seed), () -> mapped + " tid=" + hex(tid), () -> {
                byte[] b = StunMessage.bindingSuccess(tid, mapped);
                StunMessage m = StunMessage.parse(b, b.length);
                assertEquals(StunMessage.BINDING_SUCCESS, m.type());
                assertArrayEquals(tid, m.transactionId());
                assertEquals(mapped, m.mapped());
            });
        }
    }

    /** True if {@code b} parsed (and what it parsed to holds), false if refused. */
    private static boolean parseOrRefuse(byte[] b) {
        StunMessage m;
        try {
            m = StunMessage.parse(b, b.length);
        } catch (StunException e) {
            return false;
        }
        assertTrue(StunMessage.looksLikeStun(b, b.length));
        assertEquals(b.length - StunMessage.HEADER, ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        assertEquals(((b[0] & 0xFF) << 8) | (b[1] & 0xFF), m.type());
        assertArrayEquals(Arrays.copyOfRange(b, 8, 20), m.transactionId());
        assertTrue(m.mapped() == null || m.mapped().address().getPort() > 0);
        return true;
    }

    /** Random bytes, often given a STUN header (cookie, plausible length) so parsing gets past the first checks. */
    private static byte[] datagram(Random random) {
        byte[] b = bytes(random, 0, 600);
        if (b.length >= StunMessage.HEADER && random.nextInt(4) != 0) {
            b[0] &= (byte) (random.nextBoolean() ? 0x01 : 0x3F);
            b[4] = 0x21;
            b[5] = 0x12;
            b[6] = (byte) 0xA4;
            b[7] = 0x42;
            int body = random.nextInt(3) == 0 ? anyInt(random) & 0xFFFF : b.length - StunMessage.HEADER;
            b[2] = (byte) (body >>> 8);
            b[3] = (byte) body;
            if (b.length >= StunMessage.HEADER + 4 && random.nextBoolean()) {
                b[StunMessage.HEADER] = 0;
                b[StunMessage.HEADER + 1] = (byte) (random.nextBoolean() ? 0x20 : 0x01);
            }
        }
        return b;
    }

    private static byte[] tid(Random random) {
        byte[] t = new byte[StunMessage.TRANSACTION_ID];
        random.nextBytes(t);
        return t;
    }

    private static Endpoint endpoint(Random random) {
        byte[] ip = new byte[random.nextInt(4) == 0 ? 16 : 4];
        random.nextBytes(ip);
        try {
            return Endpoint.of(InetAddress.getByAddress(ip), between(random, 1, 65535));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
