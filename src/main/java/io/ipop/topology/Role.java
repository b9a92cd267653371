package io.ipop.topology;

/**
 * Why a node keeps a link: what {@code /overlay/links} shows as {@code "topology"}. {@link Topology} chooses
 * {@link #SUCCESSOR}, {@link #LONG_DISTANCE} and {@link #FULL_MESH}; the node adds {@link #STATIC} (a peer in
 * {@code ipop.peers}, always kept) and {@link #ON_DEMAND} (a direct link earned by traffic,
 * {@code ipop.topology.on-demand}).
 */
public enum Role {
    SUCCESSOR("successor"),
    LONG_DISTANCE("long-distance"),
    FULL_MESH("full-mesh"),
    STATIC("static"),
    ON_DEMAND("on-demand");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The name the API and the docs use. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
