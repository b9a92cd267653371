import io.ipop.dataplane.Warmup;
import io.ipop.frame.MacAddress;

/**
 * The data-path warm-up alone in a fresh JVM (docs/performance.md, "Warm start"): its CPU cost is this
 * JVM's user+sys time minus that of a run with 0 frames.
 *
 *   /usr/bin/time -f "%U+%S s" java -cp target/ipop-node.jar bench/WarmTime.java 100000
 */
public class WarmTime {
    public static void main(String[] args) {
        int frames = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        long t0 = System.nanoTime();
        long delivered = Warmup.run(MacAddress.parse("02:ca:00:00:00:01"), 1400, frames, 32);
        System.out.printf("frames=%d delivered=%d ms=%d%n", frames, delivered, (System.nanoTime() - t0) / 1_000_000);
    }
}
