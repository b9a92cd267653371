package io.ipop.management;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The management API's refusal counters, one per {@link ApiRefusal}, attached to the node's ActorSystem so
 * the guard that counts and the routes that show them share one set. Lock-free, thread-safe.
 */
public final class ApiRefusals implements Extension {
    private static final ExtensionId<ApiRefusals> ID = new ExtensionId<>() {
        @Override
        public ApiRefusals createExtension(ActorSystem<?> system) {
            return new ApiRefusals();
        }
    };

    private final Map<ApiRefusal, LongAdder> counts = new EnumMap<>(ApiRefusal.class);

    private ApiRefusals() {
        for (ApiRefusal r : ApiRefusal.values()) {
            counts.put(r, new LongAdder());
        }
    }

    public static ApiRefusals get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    void count(ApiRefusal r) {
        counts.get(r).increment();
    }

    /** Requests refused for {@code r} since the node started. */
    public long of(ApiRefusal r) {
        return counts.get(r).sum();
    }

    /** Counter name to value, in {@link ApiRefusal} order. */
    public Map<String, Long> view() {
        Map<String, Long> v = new LinkedHashMap<>();
        counts.forEach((r, n) -> v.put(r.counter(), n.sum()));
        return v;
    }
}
