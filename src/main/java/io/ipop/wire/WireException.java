package io.ipop.wire;

/** A received datagram was rejected; {@link #reason()} names the drop counter it goes to. */
public final class WireException extends Exception {

    /** Why a datagram was rejected; each reason is a drop counter in {@code /overlay/dataplane}. */
    public enum Reason {
        TRUNCATED("truncated"),
        UNKNOWN_TYPE("unknown_type"),
        BAD_VERSION("bad_version"),
        MALFORMED_CONTROL("malformed_control");

        private final String counter;

        Reason(String counter) {
            this.counter = counter;
        }

        public String counter() {
            return counter;
        }
    }

    private final Reason reason;

    public WireException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
