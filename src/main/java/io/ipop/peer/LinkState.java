package io.ipop.peer;

/**
 * States of a peer link. {@code CONNECTING}: never up yet in this session, sending {@code con_req}
 * with backoff. {@code UP}: linked, keepalives flowing, frames forwarded. {@code LOST}: was up, then
 * the peer fell silent for {@code dead-after} or said {@code close}; reconnecting with backoff, as in
 * {@code CONNECTING}, until the peer answers.
 */
public enum LinkState {
    CONNECTING, UP, LOST;

    /** The lower-case name used in logs and JSON. */
    public String label() {
        return name().toLowerCase();
    }
}
