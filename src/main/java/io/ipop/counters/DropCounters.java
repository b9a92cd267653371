package io.ipop.counters;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The node's drop counters, one per {@link Drop} reason. Lock-free, shared by the data-plane stages and the
 * control plane's actors; read by management. Per-link drops are counted separately (route.LinkCounters).
 */
public class DropCounters {
    private final AtomicLongArray data = new AtomicLongArray(DataDrop.values().length);
    private final AtomicLongArray setup = new AtomicLongArray(SetupDrop.values().length);

    public void drop(Drop reason) {
        array(reason).incrementAndGet(reason.ordinal());
    }

    /** {@code n} drops for one reason at once (a queue that dropped several frames of one burst). */
    public void drop(Drop reason, int n) {
        array(reason).addAndGet(reason.ordinal(), n);
    }

    public long drops(Drop reason) {
        return array(reason).get(reason.ordinal());
    }

    private AtomicLongArray array(Drop reason) {
        return reason instanceof DataDrop ? data : setup;
    }
}
