package io.ipop.counters;

import java.util.List;
import java.util.stream.Stream;

/**
 * One named reason a datagram, frame or control message dies; nothing is dropped without being counted
 * under one. Two planes, two enums: {@link DataDrop} (the packet path) and {@link SetupDrop} (link setup
 * and signaling), so the control plane counts its refusals without depending on the data plane.
 */
public sealed interface Drop permits DataDrop, SetupDrop {

    /** Every reason, data plane first, in declaration order: the order of the management views and metrics. */
    static List<Drop> all() {
        return Stream.concat(Stream.of(DataDrop.values()), Stream.of(SetupDrop.values())).map(Drop.class::cast).toList();
    }

    /** The counter's name within its stage, e.g. {@code spoofed_mac} (the {@code reason} label). */
    String counter();

    Stage stage();

    /** The reason's number within its enum. */
    int ordinal();
}
