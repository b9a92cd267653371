package io.ipop.secure;

/** A certificate, key or CA problem, described for an operator (names the file or the field). */
public final class PkiException extends Exception {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
