package io.ipop.nat;

/** A datagram that looked like STUN is not a well-formed STUN message; counted as {@code stun_malformed}. */
public final class StunException extends Exception {
    public StunException(String message) {
        super(message, null, false, false);
    }
}
