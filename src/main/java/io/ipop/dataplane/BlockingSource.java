package io.ipop.dataplane;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A source whose pull blocks in a read call, with no dispatcher attribute of its own.
 *
 * <p>Why not {@code Source.unfoldResource}: Pekko gives it the blocking-I/O dispatcher attribute, and a
 * dispatcher attribute makes a stage an island of its own, so a read stage built with it hands every
 * burst to a second thread before the graph's one intended async boundary — two thread wake-ups per
 * packet and path instead of one (measured: docs/performance.md, "fusing the read stage"). This stage
 * fuses with the stages after it; the graph places the whole island on {@link Dataplane#IO_DISPATCHER},
 * whose pinned threads may block.
 *
 * <p>Where it blocks: a pull does not read at once; it posts a message to the island's own mailbox,
 * and the read runs when that message is processed, with the island's interpreter idle. Reading
 * inside the pull instead can block with events still queued in the interpreter (it yields after a
 * fixed number of events), for example a burst on its way to the boundary, which would then wait for
 * the next packet. Between reads the island handles its other messages (demand, cancellation), and it
 * is pulled only while the boundary after it has room, so a full buffer leaves it idle, not blocked.
 *
 * <p>Contract: {@code read} blocks until an element is ready and returns it, or returns empty once the
 * underlying device is closed, which completes the stream. An exception from {@code read} fails the
 * stream; reads that can recover handle their own errors.
 */
final class BlockingSource<T> extends GraphStage<SourceShape<T>> {
    /** One blocking read. */
    @FunctionalInterface
    interface Read<T> {
        Optional<T> next();
    }

    private final Outlet<T> out = Outlet.create("BlockingSource.out");
    private final SourceShape<T> shape = SourceShape.of(out);
    private final Supplier<Read<T>> reads;

    private BlockingSource(Supplier<Read<T>> reads) {
        this.reads = reads;
    }

    /** {@code reads} makes the read of one materialization (with its own buffers). */
    static <T> Source<T, ?> of(Supplier<Read<T>> reads) {
        return Source.fromGraph(new BlockingSource<>(reads));
    }

    @Override
    public SourceShape<T> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        Read<T> read = reads.get();
        return new GraphStageLogic(shape) {
            private AsyncCallback<Boolean> readNext;

            {
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        readNext.invoke(Boolean.TRUE);
                    }
                });
            }

            @Override
            public void preStart() {
                readNext = createAsyncCallback(ignored -> {
                    Optional<T> next = read.next();
                    if (next.isPresent()) {
                        push(out, next.get());
                    } else {
                        completeStage();
                    }
                });
            }
        };
    }
}
