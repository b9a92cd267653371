package io.ipop.peer;

import io.ipop.route.FlowTable;
import io.ipop.route.LinkCounters;
import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The shared handle of one peer link: its counters (written by the data plane), its setup counters and
 * the snapshot its {@link PeerSession} publishes (read by management). Thread-safe.
 */
public final class PeerLink {
    private final PeerId peer;
    private final Discovery discoveredBy;
    /** The registry that keeps indexes unique; set when {@link Links#add} adopts the link. */
    private volatile Links owner;
    private volatile int localIndex;
    private final LinkCounters counters = new LinkCounters();
    private final FlowTable flows = new FlowTable();
    private final SetupCounters setups = new SetupCounters();
    private final AtomicReference<LinkSnapshot> snapshot;
    private volatile List<Endpoint> candidates = List.of();
    private volatile LinkCipher cipher;
    private final AtomicLong earlierRekeys = new AtomicLong();
    private volatile String topology;

    PeerLink(PeerId peer, Discovery discoveredBy, int localIndex, LinkSnapshot initial) {
        this.peer = peer;
        this.discoveredBy = discoveredBy;
        this.localIndex = localIndex;
        this.snapshot = new AtomicReference<>(initial);
    }

    /** A connecting link with receiver index {@code localIndex}, in no registry yet (see {@link Links#open}). */
    static PeerLink connecting(PeerId peer, Discovery discoveredBy, int localIndex, Endpoint endpoint) {
        return new PeerLink(peer, discoveredBy, localIndex, LinkSnapshot.initial(endpoint));
    }

    void adoptedBy(Links links) {
        owner = links;
    }

    public PeerId peer() {
        return peer;
    }

    /** How the peer became known. */
    public Discovery discoveredBy() {
        return discoveredBy;
    }

    /**
     * Why the topology keeps the link ({@code successor}, {@code long-distance}, {@code full-mesh}, {@code static},
     * {@code requested} by the peer, {@code retiring}); null for links it has no say in (NAT traversal's).
     */
    public String topology() {
        return topology;
    }

    void topology(String role) {
        topology = role;
    }

    /** The receiver index frames from this peer carry in the current setup. */
    public int localIndex() {
        return localIndex;
    }

    /** A new random receiver index for a new setup of the link; frames with the old one are unknown from now on. */
    void renewIndex() {
        Links links = owner;
        localIndex = links == null ? Links.randomIndex() : links.allocate(this, localIndex);
    }

    public LinkCounters counters() {
        return counters;
    }

    /** The flows this node started over the link (for the firewall); kept across setups. */
    public FlowTable flows() {
        return flows;
    }

    /** How the link's setups went (ups, DTLS handshakes). */
    public SetupCounters setups() {
        return setups;
    }

    public LinkSnapshot snapshot() {
        return snapshot.get();
    }

    void publish(LinkSnapshot s) {
        snapshot.set(s);
    }

    /** Rekeys of this link over its life (docs/security.md, "Rekeying"). */
    public long rekeys() {
        LinkCipher c = cipher;
        return earlierRekeys.get() + (c == null ? 0 : c.rekeys());
    }

    /** How long the secure link's data keys have been in use; null without keys (plaintext, or not up). */
    public Duration keyAge() {
        LinkCipher c = cipher;
        return c == null ? null : c.keyAge();
    }

    /** The keys the link routes with now (null: none); the rekeys of the ones before are kept in the count. */
    void publishCipher(LinkCipher next) {
        LinkCipher old = cipher;
        if (old != next) {
            if (old != null) {
                earlierRekeys.addAndGet(old.rekeys());
            }
            cipher = next;
        }
    }

    /** Where the session probes the peer besides its configured endpoint (docs/nat.md): direct ones first, then relayed. */
    public List<Endpoint> candidates() {
        return candidates;
    }

    void publishCandidates(List<Endpoint> all) {
        candidates = List.copyOf(all);
    }
}
