package io.ipop.peer;

import io.ipop.underlay.BirthdaySettings;
import java.util.function.BooleanSupplier;

/**
 * What a session needs for birthday probing (docs/nat.md, "Birthday probing"): its budget and sizes, and whether
 * this node is the hard side of a pair (behind a symmetric NAT, as its STUN servers tell: {@code nat.StunClient}).
 * Immutable; {@code symmetric} is thread-safe.
 */
public record Birthday(BirthdaySettings settings, BooleanSupplier symmetric) {

    /** Birthday probing off. */
    public static final Birthday OFF = new Birthday(BirthdaySettings.OFF, () -> false);

    boolean enabled() {
        return settings.enabled();
    }

    /** True if this node is behind a symmetric NAT now (the hard side). */
    boolean hard() {
        return symmetric.getAsBoolean();
    }
}
