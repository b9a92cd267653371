package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * CPU one forged or replayed hello costs the node that checks it ({@link HelloCheck#check}), one thread,
 * in a timed loop (not a test: bench/forged-hello.sh runs it). Each case is a hello an off-path attacker
 * can make from a captured one: b's real certificate with a signature that does not verify, the captured
 * hello itself again (nonce seen), captured long ago (stale), or captured on b's link to another node
 * (misaddressed). Prints one line per case: {@code case=NAME cpu_us_per_hello=X}.
 *
 * <pre>java -cp CLASSPATH io.ipop.peer.ForgedHelloCost [HELLOS_PER_CASE]</pre>
 */
public final class ForgedHelloCost {
    private ForgedHelloCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("forged-hello");
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
        NodeIdentity a = load(dir, "a");
        NodeIdentity b = load(dir, "b");
        LocalNode self = node("a", "10.77.0.1/24");
        Hellos fromB = new Hellos(node("b", "10.77.0.2/24"), Optional.of(b));
        ConReq genuine = fromB.request(PeerId.of("a"), 7, null);
        String foreignSig = fromB.request(PeerId.of("a"), 7, null).sig();    // a real signature, of another hello
        ConReq stale = withTs(genuine, genuine.ts() - Duration.ofMinutes(10).toMillis());
        ConReq forC = fromB.request(PeerId.of("c"), 7, null);

        HelloCheck check = new HelloCheck(self, Optional.of(a), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 100_000), Clock.systemUTC());
        check.check(genuine);                                       // its nonce is now seen
        run("bad_signature", n, check, i -> withNonce(genuine, "f" + i).withSig(foreignSig));
        run("replay", n, check, i -> genuine);
        run("stale", n, check, i -> stale);
        run("misaddressed", n, check, i -> forC);
    }

    private static void run(String name, int n, HelloCheck check, IntFunction<ConReq> hello) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < n; i++) {                               // warm-up: JIT, caches
            check.check(hello.apply(-i - 1));
        }
        long t0 = cpu.getCurrentThreadCpuTime();
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            if (check.check(hello.apply(i)) instanceof HelloCheck.Accepted) {
                accepted++;
            }
        }
        long t1 = cpu.getCurrentThreadCpuTime();
        System.out.printf("case=%s hellos=%d accepted=%d cpu_us_per_hello=%.1f%n", name, n, accepted,
                (t1 - t0) / 1000.0 / n);
    }

    private static ConReq withNonce(ConReq h, String nonce) {
        return new ConReq(h.v(), h.node(), h.instance(), h.ip(), h.mac(), h.groups(), nonce, h.index(), h.ts(),
                h.secure(), h.cert(), h.sig(), h.to(), h.cands());
    }

    private static ConReq withTs(ConReq h, long ts) {
        return new ConReq(h.v(), h.node(), h.instance(), h.ip(), h.mac(), h.groups(), h.nonce(), h.index(), ts,
                h.secure(), h.cert(), h.sig(), h.to(), h.cands());
    }

    private static LocalNode node(String name, String ip) {
        return new LocalNode(name, name + "-instance", OverlayAddress.parse(ip, true), MacAddress.derivedFrom(name),
                List.of("blue"), Endpoint.of(InetAddress.getLoopbackAddress(), 5800), Instant.now());
    }

    private static NodeIdentity load(Path pki, String name) throws Exception {
        return NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
    }
}
