package io.ipop.wire;

/**
 * A node's name, as its hellos carry it in {@code node} and its peers know it: 1..64 of
 * {@code A-Z a-z 0-9 . _ -} ({@link Limits#token}, the rule every decoded control message is held to, so
 * no name a peer can send fails here). The config is stricter for the names it holds (a letter or digit
 * first, {@code node.name} and {@code peers[].name}); every such name is a valid {@code PeerId}.
 */
public record PeerId(String name) implements Comparable<PeerId> {

    /** @throws IllegalArgumentException if {@code name} is not a node name */
    public PeerId {
        Limits.token("node name", name);
    }

    public static PeerId of(String name) {
        return new PeerId(name);
    }

    @Override
    public int compareTo(PeerId other) {
        return name.compareTo(other.name);
    }

    /** The name itself: what logs and the API show. */
    @Override
    public String toString() {
        return name;
    }
}
