package io.ipop.dataplane;

import java.util.List;
import java.util.function.IntConsumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The outbound graph's {@link FairQueue} as a stream stage, at the head of the processing island: it
 * always pulls the TAP read bursts, queues their frames by destination, and hands the processing stage
 * bursts in deficit round robin order.
 *
 * <p>{@link InFlight} counts units that keep a direct write from overtaking queued frames: the queue is one
 * unit while it holds frames. A burst from the read hands its unit to an empty queue, or gives it up when
 * the queue already has one; a burst pushed on takes the queue's unit when it empties it, or a new one
 * (released by the writer, as before).
 */
final class FairStage extends GraphStage<FlowShape<List<byte[]>, List<byte[]>>> {
    private final Inlet<List<byte[]>> in = Inlet.create("FairStage.in");
    private final Outlet<List<byte[]>> out = Outlet.create("FairStage.out");
    private final FlowShape<List<byte[]>, List<byte[]>> shape = FlowShape.of(in, out);
    private final long capacityBytes;
    private final int batch;
    private final InFlight inFlight;
    private final IntConsumer dropped;

    /** @param dropped told how many frames the queue dropped to stay within {@code capacityBytes} */
    FairStage(long capacityBytes, int batch, InFlight inFlight, IntConsumer dropped) {
        this.capacityBytes = capacityBytes;
        this.batch = batch;
        this.inFlight = inFlight;
        this.dropped = dropped;
    }

    @Override
    public FlowShape<List<byte[]>, List<byte[]>> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        FairQueue queue = new FairQueue(capacityBytes);
        return new GraphStageLogic(shape) {
            {
                setHandler(in, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        List<byte[]> burst = grab(in);
                        if (!queue.isEmpty()) {
                            inFlight.left();                    // the queue already counts as one unit
                        }
                        int lost = queue.add(burst);            // never empty after this
                        if (lost > 0) {
                            dropped.accept(lost);
                        }
                        if (isAvailable(out)) {
                            pushNext();
                        }
                        pull(in);
                    }

                    @Override
                    public void onUpstreamFinish() {
                        if (queue.isEmpty()) {
                            completeStage();
                        }
                    }
                });
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        pushNext();
                    }
                });
            }

            @Override
            public void preStart() {
                pull(in);
            }

            private void pushNext() {
                if (queue.isEmpty()) {
                    return;
                }
                List<byte[]> next = queue.next(batch);
                if (!queue.isEmpty()) {
                    inFlight.entered();                         // the queue keeps its unit: the burst needs one
                }
                push(out, next);
                if (queue.isEmpty() && isClosed(in)) {
                    completeStage();
                }
            }
        };
    }
}
