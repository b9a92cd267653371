package io.ipop.peer;

import static io.ipop.RandomInput.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.RandomInput;
import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * What {@link HelloCheck} refuses with {@code tellPeer} is sent back in a {@code con_rej}, so its reason
 * must fit one: at most 200 characters that encode as JSON. The certificate in a hello is the sender's
 * to choose, and refusal reasons quote parts of it (its issuer, the parser's complaint), so this checks
 * hellos as a known peer with arbitrary certificates: self-signed ones with any issuer name, random
 * bytes, and the peer's real certificate cut or with a byte changed. Each must be refused (the
 * signatures are garbage) without an exception, and a refusal the peer is told must encode.
 *
 * <p>Property tests: each runs its listed edge cases, then a fixed number of tries whose inputs are drawn
 * from a {@link Random} seeded per try (see {@link #seed}), so a failure names the try, its seed and its
 * input, and reproduces.
 */
class HelloRefusalProperties {
    private static final long SEED = 0x4845_4C4C_4F52_4546L;
    private static final ControlCodec CODEC = new ControlCodec();
    private static final Fixture FIXTURE = Fixture.make();

    private record Fixture(HelloCheck check, byte[] peerCertificate, KeyPair keys) {
        static Fixture make() {
            try {
                Path dir = Files.createTempDirectory("hello-refusal");
                OverlayCa.init(dir, false);
                OverlayCa.sign(dir, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
                OverlayCa.sign(dir, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
                NodeIdentity a = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"));
                NodeIdentity b = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("b.crt"), dir.resolve("b.key"));
                LocalNode self = new LocalNode("a", "i-a", a.address(), MacAddress.parse("02:00:00:00:00:01"), a.groups(),
                        Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 5800), Instant.now());
                HelloCheck check = new HelloCheck(self, Optional.of(a), true, Duration.ofSeconds(60),
                        new NonceCache(Duration.ofSeconds(120), 1024), Clock.systemUTC());
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return new Fixture(check, b.certificate().getEncoded(), g.generateKeyPair());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aSelfSignedCertificateWithAnyIssuerIsRefusedInAReasonThatFitsACONREJ() {
        List<String> edges = List.of("", "x", "\uD800", "\uDC00", "\uDC00\uD800", "\uD800\uDC00", "\"\\\n\u0000",
                "ipop-node overlay CA", "ipop-node overlay CA\u0000", "x".repeat(1000), "x".repeat(40), "\u00e9".repeat(100),
                "\u65e5".repeat(400), "\"".repeat(400), "\uD800".repeat(20));
        int n = 0;
        for (String issuer : edges) {
            for (boolean bmp : new boolean[] {false, true}) {
                check("edge case " + n++, () -> "issuer=" + quote(issuer) + " bmp=" + bmp,
                        () -> assertRefusedAndTellable(selfSigned(issuer, bmp)));
            }
        }
        int tries = 150;
        for (int i = 0; i < tries; i++) {
            long seed = seed(1, i);
            Random random = new Random(seed);
            String issuer = name(random);
            boolean bmp = random.nextBoolean();
            check(trial(i, tries, seed), () -> "issuer=" + quote(issuer) + " bmp=" + bmp,
                    () -> assertRefusedAndTellable(selfSigned(issuer, bmp)));
        }
    }

    @Test
    void randomBytesAsACertificateAreRefusedInAReasonThatFitsACONREJ() {
        List<byte[]> edges = List.of(new byte[] {0x30}, new byte[] {0x30, 0}, new byte[] {0x30, (byte) 0x80},
                new byte[] {0x30, (byte) 0x81}, new byte[] {0x30, (byte) 0x84, -1, -1, -1, -1}, new byte[] {0x30, 0x7F},
                sequenceThen(600, (byte) 0), sequenceThen(600, (byte) -1), sequenceThen(600, (byte) 0x30));
        int n = 0;
        for (byte[] der : edges) {
            check("edge case " + n++, () -> "der=" + hex(der), () -> assertRefusedAndTellable(der));
        }
        int tries = 300;
        for (int i = 0; i < tries; i++) {
            long seed = seed(2, i);
            byte[] der = der(new Random(seed));
            check(trial(i, tries, seed), () -> "der=" + hex(der), () -> assertRefusedAndTellable(der));
        }
    }

    @Test
    void aDamagedRealCertificateIsRefusedInAReasonThatFitsACONREJ() {
        int length = FIXTURE.peerCertificate().length;
        int n = 0;
        for (int at : new int[] {0, 1, length - 1, length, length + 1, 2000}) {
            for (byte value : new byte[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}) {
                for (boolean cut : new boolean[] {false, true}) {
                    check("edge case " + n++, () -> "at=" + at + " value=" + value + " cut=" + cut,
                            () -> aDamagedRealCertificateIsRefusedInAReasonThatFitsACONREJ(at, value, cut));
                }
            }
        }
        int tries = 300;
        for (int i = 0; i < tries; i++) {
            long seed = seed(3, i);
            Random random = new Random(seed);
            int at = between(random, 0, 2000);
            byte value = anyByte(random);
            boolean cut = random.nextBoolean();
            check(trial(i, tries, seed), () -> "at=" + at + " value=" + value + " cut=" + cut,
                    () -> aDamagedRealCertificateIsRefusedInAReasonThatFitsACONREJ(at, value, cut));
        }
    }

    private static void aDamagedRealCertificateIsRefusedInAReasonThatFitsACONREJ(int at, byte value, boolean cut) {
        byte[] der = FIXTURE.peerCertificate().clone();
        int i = at % der.length;
        if (cut) {
            der = Arrays.copyOf(der, i);
        } else {
            der[i] = value;
        }
        if (Arrays.equals(der, FIXTURE.peerCertificate())) {
            // the byte was already that value: the certificate is b's own, and what is refused is the hello's MAC
            HelloCheck.Rejected r = assertInstanceOf(HelloCheck.Rejected.class, FIXTURE.check().check(hello(der)));
            assertEquals(SetupDrop.HELLO_IDENTITY_MISMATCH, r.counter(), r.reason());
        } else {
            assertRefusedAndTellable(der);
        }
    }

    /** Every certificate here is refused as {@code bad_certificate}, told to the peer in a {@code con_rej} that encodes. */
    private static void assertRefusedAndTellable(byte[] der) {
        HelloCheck.Rejected r = assertInstanceOf(HelloCheck.Rejected.class, FIXTURE.check().check(hello(der)));
        assertEquals(SetupDrop.HELLO_BAD_CERTIFICATE, r.counter(), r.reason());
        assertTrue(r.tellPeer(), "a refused certificate is told to the peer: " + r.reason());
        ControlMessage.ConRej rej = new ControlMessage.ConRej("a", r.reason());   // throws if over 200 characters
        CODEC.encode(rej);                                                         // throws if it cannot be JSON
    }

    private static ConReq hello(byte[] der) {
        return new ConReq(1, "b", "i-b", "10.77.0.2/24", "02:00:00:00:00:02", List.of("blue"), "n", 5,
                System.currentTimeMillis(), null, Base64.getEncoder().encodeToString(der.length == 0 ? new byte[1] : der), "c2ln", "a");
    }

    private static byte[] selfSigned(String issuerName, boolean bmp) throws Exception {
        boolean pairedSurrogates = issuerName.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c <= 0xFFFF);
        // a UTF8String cannot hold a lone surrogate; a BMPString (UCS-2) can
        ASN1Encodable value = bmp || !pairedSurrogates ? new DERBMPString(issuerName) : new DERUTF8String(issuerName);
        X500Name issuer = new X500Name(new RDN[] {new RDN(BCStyle.CN, value)});
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.ONE,
                Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(3600)), new X500Name("CN=b"),
                FIXTURE.keys().getPublic());
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(FIXTURE.keys().getPrivate())).getEncoded();
    }

    private static final char[] AWKWARD_CHARS = {'\uD800', '\uDC00', 'x', '"', '\\', '\n', '\u0000'};
    private static final String[] FIXED_NAMES = {"ipop-node overlay CA", "ipop-node overlay CA\u0000", "x".repeat(1000)};

    /**
     * Issuer names, one of four kinds equally often: short and long strings of any characters, short ones
     * of lone surrogates and characters JSON escapes, and fixed ones (ours, with a NUL, over-long).
     */
    private static String name(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> string(random, 0, 40);
            case 1 -> string(random, 100, 400);
            case 2 -> {
                int length = size(random, 0, 20);
                StringBuilder sb = new StringBuilder(length);
                for (int k = 0; k < length; k++) {
                    sb.append(AWKWARD_CHARS[random.nextInt(AWKWARD_CHARS.length)]);
                }
                yield sb.toString();
            }
            default -> FIXED_NAMES[random.nextInt(FIXED_NAMES.length)];
        };
    }

    /** 1..600 random bytes starting with a SEQUENCE tag, so the parser gets further. */
    private static byte[] der(Random random) {
        byte[] b = new byte[size(random, 1, 600)];
        if (random.nextInt(20) == 0) {
            Arrays.fill(b, EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]);
        } else {
            random.nextBytes(b);
        }
        b[0] = 0x30;
        return b;
    }

    private static byte[] sequenceThen(int length, byte fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, fill);
        b[0] = 0x30;
        return b;
    }

    // ---- generation and reporting: io.ipop.RandomInput ----

    private static long seed(int property, int i) {
        return RandomInput.seed(SEED, property, i);
    }
}
