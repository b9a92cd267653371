package io.ipop.tap;

/** The TAP device could not be opened or configured; the message says why in operator terms. */
public final class TapException extends RuntimeException {
    public TapException(String message) {
        super(message);
    }
}
