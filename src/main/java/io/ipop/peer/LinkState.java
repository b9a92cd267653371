package io.ipop.peer;

/**
 * States of a peer link. {@code CONNECTING}: never up yet in this session, sending {@code con_req}
 * with backoff. {@code HANDSHAKING}: both sides agreed on a secure link, DTLS handshake running.
 * {@code UP}: linked, keepalives flowing, frames forwarded. {@code LOST}: was up, then the peer fell
 * silent for {@code dead-after}, said {@code close} or restarted; reconnecting with backoff, as in
 * {@code CONNECTING}, until the peer answers.
 */
public enum LinkState {
    CONNECTING, HANDSHAKING, UP, LOST;

    /** The lower-case name used in logs and JSON. */
    public String label() {
        return name().toLowerCase();
    }
}
