package io.ipop.counters;

/** Where a drop happens: the data-plane stages in flow order (see dataplane.Dataplane), then the control plane's. */
public enum Stage {
    UDP_RECEIVE("udp_receive"), CLASSIFY("classify"), SWITCH_IN("switch_in"), TAP_WRITE("tap_write"),
    TAP_READ("tap_read"), SWITCH_OUT("switch_out"), UDP_SEND("udp_send"), LINK_SETUP("link_setup"),
    SIGNALING("signaling"), FORWARD("forward");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The stage's name in {@code GET /overlay/dataplane} and the {@code stage} label of {@code ipop_dataplane_drops}. */
    public String label() {
        return label;
    }
}
