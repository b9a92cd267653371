package io.ipop.netns;

import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.HelloSigning;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateEncodingException;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Hostile datagrams aimed at one node ("the target"), each of a {@link HostileKind} the target must drop and
 * count in a named counter of {@code GET /overlay/dataplane}. What an attacker on the underlay needs to
 * know (the receiver indexes of the target's links, a peer's signed hello, sealed frames and DTLS records
 * to replay) comes from a packet capture of the target's underlay interface, as it would for a real one.
 *
 * <p>Also a command for {@code bench/soak.sh}:
 * {@code java -cp CP io.ipop.netns.HostileCorpus OUT PCAP TARGET_IP PEER_IP SIZE SEED [PKI_DIR PEER FOREIGN_PKI_DIR]}
 * writes a fuzz corpus built from the capture; prints one line per kind, {@code KIND COUNT STAGE.COUNTER}.
 */
final class HostileCorpus {

    /**
     * What the attacker knows about the target.
     *
     * @param secureIndex     the target's receiver index for its secure link (from captured sealed frames to it)
     * @param plaintextIndex  the target's receiver index for its plaintext link (from captured data frames to it)
     * @param targetMac       the target's TAP MAC (its own hellos carry it), so injected frames avoid it
     * @param peer            the secure link's peer: a captured con_req of it and, for the signed kinds, its identity
     * @param foreign         an identity with the peer's name, address and groups from another CA, or null
     * @param capturedHello   a con_req the peer sent the target, as captured, or null
     * @param capturedSealed  sealed frames the peer sent the target, as captured
     * @param capturedDtls    DTLS frames the peer sent the target during the handshake, as captured
     * @param clientHello     a DTLS ClientHello record (without our header) from the capture, or null
     */
    record Target(int secureIndex, int plaintextIndex, long targetMac, NodeIdentity peer, NodeIdentity foreign,
                  byte[] capturedHello, List<byte[]> capturedSealed, List<byte[]> capturedDtls, byte[] clientHello) {

        /** Reads the capture of the target's underlay interface: indexes and material to replay. */
        static Target fromCapture(List<Pcap.Udp> capture, String targetIp, String peerIp, NodeIdentity peer,
                                  NodeIdentity foreign) {
            Integer secure = null;
            Integer plain = null;
            byte[] hello = null;
            long mac = 0;
            byte[] clientHello = null;
            List<byte[]> sealed = new ArrayList<>();
            List<byte[]> dtls = new ArrayList<>();
            for (Pcap.Udp u : capture) {
                byte[] p = u.payload();
                if (p.length < FrameHeader.LENGTH || p[1] != FrameHeader.VERSION) {
                    continue;
                }
                boolean toTarget = u.dst().equals(targetIp);
                FrameType type = FrameType.of(p[0]);
                if (type == FrameType.DTLS && DtlsHandshake.isClientHello(Arrays.copyOfRange(p, FrameHeader.LENGTH, p.length))) {
                    clientHello = clientHello == null ? Arrays.copyOfRange(p, FrameHeader.LENGTH, p.length) : clientHello;
                }
                if (!toTarget) {
                    if (type == FrameType.CONTROL && u.src().equals(targetIp) && mac == 0) {
                        mac = macIn(p);
                    }
                    continue;
                }
                if (type == FrameType.SECURE_DATA && u.src().equals(peerIp)) {
                    secure = FrameHeader.receiverIndex(p, 0);
                    sealed.add(p);
                } else if (type == FrameType.DATA && !u.src().equals(peerIp)) {
                    plain = FrameHeader.receiverIndex(p, 0);
                } else if (type == FrameType.DTLS && u.src().equals(peerIp)) {
                    dtls.add(p);
                } else if (type == FrameType.CONTROL && u.src().equals(peerIp) && hello == null
                        && new String(p, StandardCharsets.UTF_8).contains("\"type\":\"con_req\"")) {
                    hello = p;
                }
            }
            if (secure == null || plain == null) {
                throw new AssertionError("the capture holds no sealed frame and no plaintext frame to " + targetIp
                        + " (secure index " + secure + ", plaintext index " + plain + ")");
            }
            return new Target(secure, plain, mac, peer, foreign, hello, sealed, dtls, clientHello);
        }

        private static long macIn(byte[] controlFrame) {
            String json = new String(controlFrame, FrameHeader.LENGTH, controlFrame.length - FrameHeader.LENGTH,
                    StandardCharsets.UTF_8);
            int at = json.indexOf("\"mac\":\"");
            return at < 0 ? 0 : Long.parseLong(json.substring(at + 7, at + 24).replace(":", ""), 16);
        }
    }

    private static final ControlCodec CODEC = new ControlCodec();
    private static final int[] TYPES = {0xA1, 0xA2, 0xA3, 0xA4};

    private final List<byte[]> datagrams = new ArrayList<>();
    private final Map<HostileKind, Integer> counts = new EnumMap<>(HostileKind.class);
    private final Random random;
    private final Target target;

    private HostileCorpus(Target target, long seed) {
        this.target = target;
        this.random = new Random(seed);
    }

    /**
     * The fuzz corpus: about {@code size} datagrams of every kind the target can tell apart, mostly cheap
     * ones, with a small share (about 1%) of link-setup kinds that cost the target a signature check each.
     * Shuffled, so every kind is spread over the whole run.
     */
    static HostileCorpus fuzz(Target t, int size, long seed) {
        HostileCorpus c = new HostileCorpus(t, seed);
        int unit = Math.max(1, size / 1000);
        c.add(HostileKind.TRUNCATED, 40 * unit);
        c.add(HostileKind.RANDOM_BYTES, 150 * unit);
        c.add(HostileKind.BAD_VERSION, 60 * unit);
        c.add(HostileKind.GARBAGE_CONTROL, 80 * unit);
        c.add(HostileKind.BROKEN_JSON, 60 * unit);
        c.add(HostileKind.OVERSIZED_CONTROL, 5 * unit);
        c.add(HostileKind.UNKNOWN_PEER, 60 * unit);
        c.add(HostileKind.UNKNOWN_INDEX, 150 * unit);
        c.add(HostileKind.FORGED_SEALED, 100 * unit);
        c.add(HostileKind.REPLAYED_SEALED, t.capturedSealed().isEmpty() ? 0 : 60 * unit);
        c.add(HostileKind.PLAINTEXT_ON_SECURE, 60 * unit);
        c.add(HostileKind.SECURE_ON_PLAINTEXT, 60 * unit);
        c.add(HostileKind.NOT_FOR_US, 40 * unit);
        c.add(HostileKind.SHORT_FRAME, 20 * unit);
        if (t.peer() != null) {
            c.add(HostileKind.BAD_SIGNATURE, 3 * unit);
            c.add(HostileKind.STALE_HELLO, 2 * unit);
            c.add(HostileKind.IDENTITY_MISMATCH, unit);
            c.add(HostileKind.NO_CERTIFICATE, unit);
            c.add(HostileKind.LONG_ISSUER_CERTIFICATE, unit);
            c.add(HostileKind.OTHER_PROTOCOL_VERSION, unit);
            c.add(HostileKind.FROM_ELSEWHERE, unit);
            c.add(HostileKind.UNEXPECTED_RESPONSE, unit);
        }
        if (t.foreign() != null) {
            c.add(HostileKind.FOREIGN_CERTIFICATE, 2 * unit);
        }
        if (t.capturedHello() != null) {
            c.add(HostileKind.REPLAYED_HELLO, unit);
        }
        c.add(HostileKind.REPLAYED_DTLS, t.capturedDtls().isEmpty() ? 0 : 5 * unit);
        Collections.shuffle(c.datagrams, c.random);
        return c;
    }

    /**
     * The handshake flood: link requests and DTLS ClientHellos, {@code size} in all: con_req from unknown
     * names, con_req as the known peer with bad signatures, ClientHellos on the secure link (at its
     * client side) and on unknown indexes.
     */
    static HostileCorpus handshakeFlood(Target t, int size, long seed) {
        HostileCorpus c = new HostileCorpus(t, seed);
        c.add(HostileKind.UNKNOWN_PEER, size * 4 / 10);
        c.add(HostileKind.BAD_SIGNATURE, size * 2 / 10);
        c.add(HostileKind.CLIENT_HELLO_AT_CLIENT, size * 2 / 10);
        c.add(HostileKind.CLIENT_HELLO_UNKNOWN_INDEX, size - c.datagrams.size());
        Collections.shuffle(c.datagrams, c.random);
        return c;
    }

    /** {@code n} datagrams of one kind. */
    static HostileCorpus of(Target t, HostileKind kind, int n, long seed) {
        HostileCorpus c = new HostileCorpus(t, seed);
        c.add(kind, n);
        return c;
    }

    List<byte[]> datagrams() {
        return datagrams;
    }

    Map<HostileKind, Integer> counts() {
        return counts;
    }

    /** Writes the corpus for {@link Flooder}: each datagram as a 4-byte length and its bytes. */
    void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (byte[] d : datagrams) {
                out.writeInt(d.length);
                out.write(d);
            }
        }
    }

    private void add(HostileKind kind, int n) {
        for (int i = 0; i < n; i++) {
            datagrams.add(make(kind, i));
        }
        counts.merge(kind, n, Integer::sum);
    }

    private byte[] make(HostileKind kind, int i) {
        return switch (kind) {
            case TRUNCATED -> bytes(i % FrameHeader.LENGTH);
            case RANDOM_BYTES -> {
                byte[] b = bytes(FrameHeader.LENGTH + random.nextInt(1465));
                while (FrameType.of(b[0]) != null) {
                    b[0] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case BAD_VERSION -> {
                byte[] b = bytes(FrameHeader.LENGTH + random.nextInt(1465));
                b[0] = (byte) TYPES[random.nextInt(4)];
                b[1] = (byte) (2 + random.nextInt(254));
                yield b;
            }
            case GARBAGE_CONTROL -> header(FrameType.CONTROL, 0, bytes(1 + random.nextInt(1400)));
            case BROKEN_JSON -> header(FrameType.CONTROL, 0, brokenJson(i).getBytes(StandardCharsets.UTF_8));
            case OVERSIZED_CONTROL -> header(FrameType.CONTROL, 0,
                    ("{\"type\":\"ping\",\"node\":\"b\",\"seq\":1,\"ts\":1,\"pad\":\"" + "x".repeat(4100 + random.nextInt(4000))
                            + "\"}").getBytes(StandardCharsets.UTF_8));
            case UNKNOWN_PEER -> encode(unknownPeerMessage(i));
            case UNKNOWN_INDEX -> {
                FrameType type = FrameType.of(TYPES[1 + random.nextInt(3)]);
                int size = i % 50 == 0 ? 1500 + random.nextInt(7500) : random.nextInt(1440);
                yield header(type, unknownIndex(), bytes(size));
            }
            case FORGED_SEALED -> {
                int size = i % 10 == 0 ? random.nextInt(24) : 24 + random.nextInt(1400);
                byte[] b = header(FrameType.SECURE_DATA, target.secureIndex(), bytes(size));
                if (b.length >= 16) {
                    long counter = (1L << 40) + (random.nextLong() >>> 4);     // ahead of the window, below 2^62
                    for (int k = 0; k < 8; k++) {
                        b[8 + k] = (byte) (counter >>> (56 - 8 * k));
                    }
                }
                yield b;
            }
            case REPLAYED_SEALED -> target.capturedSealed().get(i % target.capturedSealed().size());
            case PLAINTEXT_ON_SECURE -> header(FrameType.DATA, target.secureIndex(), ethernet(false, 14 + random.nextInt(1386)));
            case SECURE_ON_PLAINTEXT -> header(FrameType.SECURE_DATA, target.plaintextIndex(), bytes(32 + random.nextInt(1400)));
            case NOT_FOR_US -> header(FrameType.DATA, target.plaintextIndex(),
                    ethernet(false, i % 10 == 0 ? 1500 + random.nextInt(7500) : 14 + random.nextInt(1386)));
            case SHORT_FRAME -> header(FrameType.DATA, target.plaintextIndex(), bytes(random.nextInt(14)));
            case BAD_SIGNATURE -> {
                ControlMessage.ConReq req = signedHello(target.peer(), target.peer().address().toString(), System.currentTimeMillis());
                yield encode(req.withSig(Base64.getEncoder().encodeToString(bytes(70 + random.nextInt(2)))));
            }
            case FOREIGN_CERTIFICATE -> encode(signedHello(target.foreign(), target.foreign().address().toString(),
                    System.currentTimeMillis()));
            case LONG_ISSUER_CERTIFICATE -> encode(hello(1, target.peer().name(), target.peer().address().toString(),
                    target.peer().groups(), System.currentTimeMillis(), longIssuerCertificate()).withSig("c2ln"));
            case STALE_HELLO -> encode(signedHello(target.peer(), target.peer().address().toString(),
                    System.currentTimeMillis() - 600_000));
            case IDENTITY_MISMATCH -> encode(signedHello(target.peer(), "10.77.0.99/24", System.currentTimeMillis()));
            case NO_CERTIFICATE -> encode(hello(1, target.peer().name(), target.peer().address().toString(),
                    target.peer().groups(), System.currentTimeMillis(), null));
            case OTHER_PROTOCOL_VERSION -> encode(hello(2, target.peer().name(), target.peer().address().toString(),
                    target.peer().groups(), System.currentTimeMillis(), null));
            case REPLAYED_HELLO -> target.capturedHello();
            case REPLAYED_DTLS -> target.capturedDtls().get(i % target.capturedDtls().size());
            case FROM_ELSEWHERE -> encode(switch (i % 4) {
                case 0 -> new ControlMessage.Ping(target.peer().name(), i, System.nanoTime());
                case 1 -> new ControlMessage.Pong(target.peer().name(), 0, System.nanoTime());
                case 2 -> new ControlMessage.Close(target.peer().name(), "forged");
                default -> new ControlMessage.ConRej(target.peer().name(), "forged");
            });
            case UNEXPECTED_RESPONSE -> {
                ControlMessage.ConReq h = hello(1, target.peer().name(), target.peer().address().toString(),
                        target.peer().groups(), System.currentTimeMillis(), null);
                yield encode(new ControlMessage.ConResp(1, h.node(), h.instance(), h.ip(), h.mac(), h.groups(), h.nonce(),
                        h.index(), h.ts(), hex(8), Boolean.TRUE, null, null, null));
            }
            case CLIENT_HELLO_AT_CLIENT -> header(FrameType.DTLS, target.secureIndex(), clientHello());
            case CLIENT_HELLO_UNKNOWN_INDEX -> header(FrameType.DTLS, unknownIndex(), clientHello());
        };
    }

    private byte[] clientHello() {
        if (target.clientHello() == null) {
            throw new AssertionError("no ClientHello in the capture");
        }
        byte[] b = target.clientHello().clone();
        // vary the client random (after the 13-byte record header, 12-byte handshake header, 2-byte version)
        if (b.length > 13 + 12 + 2 + 32) {
            for (int k = 0; k < 32; k++) {
                b[13 + 12 + 2 + k] = (byte) random.nextInt(256);
            }
        }
        return b;
    }

    private int unknownIndex() {
        int idx;
        do {
            idx = random.nextInt();
        } while (idx == 0 || idx == target.secureIndex() || idx == target.plaintextIndex());
        return idx;
    }

    private String brokenJson(int i) {
        String cert = "MIIB" + "A".repeat(40);
        return switch (i % 12) {
            case 0 -> "{\"type\":\"con_req\",\"v\":1,\"node\":\"b\"";                        // cut short
            case 1 -> "{\"type\":\"ping\",\"node\":\"b\",\"seq\":\"seven\",\"ts\":1}";       // wrong type
            case 2 -> "{\"type\":\"ping\",\"node\":\"\",\"seq\":1,\"ts\":1}";                // empty name
            case 3 -> "{\"type\":\"warp\",\"node\":\"b\"}";                                  // unknown message
            case 4 -> "{\"node\":\"b\",\"seq\":1,\"ts\":1}";                                 // no type
            case 5 -> "[".repeat(2000) + "]".repeat(2000);                                  // deep nesting
            case 6 -> "{\"type\":\"con_req\",\"v\":1,\"node\":\"b\",\"instance\":\"i\",\"ip\":\"10.77.0.2/24\","
                    + "\"mac\":\"02:00:00:00:00:zz\",\"groups\":[],\"nonce\":\"n\",\"index\":5,\"ts\":1}";  // bad MAC
            case 7 -> "{\"type\":\"con_req\",\"v\":1,\"node\":\"b\",\"instance\":\"i\",\"ip\":\"10.77.0.2/24\","
                    + "\"mac\":\"02:00:00:00:00:01\",\"groups\":[],\"nonce\":\"n\",\"index\":0,\"ts\":1}";  // index 0
            case 8 -> "{\"type\":\"pong\",\"node\":\"b\",\"seq\":1e999,\"ts\":1}";            // number out of range
            case 9 -> "{\"type\":\"close\",\"node\":\"b\",\"reason\":\"" + "r".repeat(300) + "\"}";  // reason too long
            case 10 -> "{\"type\":\"con_resp\",\"v\":1,\"node\":\"b\",\"instance\":\"i\",\"ip\":\"10.77.0.2\","
                    + "\"mac\":\"02:00:00:00:00:01\",\"groups\":[],\"nonce\":\"n\",\"index\":5,\"ts\":1,\"echo\":\"e\","
                    + "\"secure\":true,\"cert\":\"" + cert + "\"}";                           // ip without prefix
            default -> "{\"type\":\"ping\",\"node\":\"b\",\"seq\":1,\"ts\":1} trailing";      // trailing tokens
        };
    }

    private ControlMessage unknownPeerMessage(int i) {
        String name = "mallory-" + Integer.toHexString(random.nextInt());
        return switch (i % 4) {
            case 0 -> hello(1, name, "10.77.0.66/24", List.of("blue"), System.currentTimeMillis(),
                    target.peer() == null ? null : certificate(target.peer()));
            case 1 -> new ControlMessage.Ping(name, i, System.nanoTime());
            case 2 -> new ControlMessage.Close(name, "bye");
            default -> new ControlMessage.ConRej(name, "no");
        };
    }

    private ControlMessage.ConReq signedHello(NodeIdentity id, String ip, long ts) {
        ControlMessage.ConReq req = hello(1, id.name(), ip, id.groups(), ts, certificate(id));
        return (ControlMessage.ConReq) HelloSigning.sign(req, id.privateKey());
    }

    /**
     * A request to the target (node "a" in the tests): addressed to it, as every captured hello to it is, and
     * with the MAC the sender's name derives, as every hello of that node carries, so that each forgery passes
     * the cheap checks and the identity check and lands in the counter of what it forges.
     */
    private ControlMessage.ConReq hello(int v, String node, String ip, List<String> groups, long ts, String cert) {
        return new ControlMessage.ConReq(v, node, hex(8), ip, io.ipop.frame.MacAddress.derivedFrom(node).toString(),
                groups, hex(8), 1 + random.nextInt(Integer.MAX_VALUE - 1), ts, null, cert, null, "a");
    }

    /** A self-signed certificate for "b" whose issuer CN is 300 characters: refusals that quote it grow long. */
    private String longIssuerCertificate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name issuer = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String("i".repeat(300) + hex(4)))});
            X509CertificateHolder cert = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(random.nextInt(1 << 30)),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(86_400)), new X500Name("CN=b"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return Base64.getEncoder().encodeToString(cert.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String certificate(NodeIdentity id) {
        try {
            return Base64.getEncoder().encodeToString(id.certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ethernet frame of {@code length} bytes to a unicast MAC that is not the target's (or to broadcast). */
    private byte[] ethernet(boolean broadcast, int length) {
        byte[] f = bytes(Math.max(14, length));
        long dst;
        do {
            dst = broadcast ? 0xFFFF_FFFF_FFFFL : (0x0200_0000_0000L | (random.nextLong() & 0x00FF_FFFF_FFFFL));
        } while (!broadcast && dst == target.targetMac());
        for (int k = 0; k < 6; k++) {
            f[k] = (byte) (dst >>> (40 - 8 * k));
        }
        f[6] = 0x02;                                    // unicast source
        return f;
    }

    private static byte[] encode(ControlMessage m) {
        return CODEC.encode(m);
    }

    private static byte[] header(FrameType type, int index, byte[] body) {
        byte[] b = new byte[FrameHeader.LENGTH + body.length];
        FrameHeader.write(b, 0, type, index);
        System.arraycopy(body, 0, b, FrameHeader.LENGTH, body.length);
        return b;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String hex(int n) {
        return HexFormat.of().formatHex(bytes(n));
    }

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<Pcap.Udp> capture = Pcap.udp(Path.of(args[1]));
        String targetIp = args[2];
        String peerIp = args[3];
        int size = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        NodeIdentity peer = null;
        NodeIdentity foreign = null;
        if (args.length > 8) {
            Path pki = Path.of(args[6]);
            String name = args[7];
            peer = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
            Path f = Path.of(args[8]);
            foreign = NodeIdentityLoader.load(f.resolve("ca.crt"), f.resolve(name + ".crt"), f.resolve(name + ".key"));
        }
        HostileCorpus c = fuzz(Target.fromCapture(capture, targetIp, peerIp, peer, foreign), size, seed);
        c.write(out);
        c.counts().forEach((k, n) -> System.out.println(k + " " + n + " " + k.stage + "." + k.counter));
    }
}
