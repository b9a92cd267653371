package io.ipop.dataplane;

/**
 * Where the outbound path reports traffic for a node it has no link to (the control plane opens an overlay
 * session on demand, docs/architecture.md "Overlay paths"). Called on the outbound thread for each such frame:
 * an implementation must not block and must bound what it does (rate limits); the frame itself is dropped
 * and counted as before ({@code unknown_destination}), as Nebula loses the first packets to a new host.
 */
public interface OverlayDemand {

    /** Asks for nothing: a node without overlay sessions. */
    OverlayDemand NONE = new OverlayDemand() {
        @Override
        public void unknownUnicast(long mac) {
        }

        @Override
        public void broadcast(byte[] frame, int length) {
        }
    };

    /** A unicast frame for {@code mac}, which no up link's peer has. */
    void unknownUnicast(long mac);

    /** A broadcast or multicast frame (an ARP request may ask for a member's overlay address). {@code frame} is only read, during the call. */
    void broadcast(byte[] frame, int length);
}
