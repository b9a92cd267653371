package io.ipop.peer;

import io.ipop.secure.HelloSigning;
import io.ipop.secure.NodeIdentity;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds this node's {@code con_req}/{@code con_resp}: fresh nonce, current time, its certificate and
 * signature when it has one. Thread-safe.
 */
public final class Hellos {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LocalNode self;
    private final Optional<NodeIdentity> identity;
    private final String certificate;
    private final Supplier<List<String>> candidates;

    public Hellos(LocalNode self, Optional<NodeIdentity> identity) {
        this(self, identity, () -> null);
    }

    /**
     * @param candidates this node's candidate endpoints for NAT traversal (docs/nat.md), asked at every
     *                   hello; null or empty: the hello carries none
     */
    public Hellos(LocalNode self, Optional<NodeIdentity> identity, Supplier<List<String>> candidates) {
        this.self = self;
        this.identity = identity;
        this.certificate = identity.map(NodeIdentity::certificateBase64).orElse(null);
        this.candidates = candidates;
    }

    /** The same node's hellos after a reload: new identity and groups, the same candidates. */
    public Hellos reconfigured(LocalNode newSelf, Optional<NodeIdentity> newIdentity) {
        return new Hellos(newSelf, newIdentity, candidates);
    }

    /**
     * A request to {@code peer}; {@code secure} is this node's decision for it, or null before it heard
     * the peer.
     */
    public ConReq request(PeerId peer, int localIndex, Boolean secure) {
        return request(peer, localIndex, secure, false);
    }

    /** A request that, with {@code birthday}, asks the peer for birthday probing (docs/nat.md). */
    public ConReq request(PeerId peer, int localIndex, Boolean secure, boolean birthday) {
        return (ConReq) signed(new ConReq(ControlMessage.PROTOCOL_VERSION, self.name(), self.instance(),
                self.address().toString(), self.mac().toString(), self.groups(), nonce(), localIndex,
                System.currentTimeMillis(), secure, certificate, null, peer.name(), cands(), birthday ? Boolean.TRUE : null));
    }

    /** The answer to {@code peer}'s request with nonce {@code echo}, stating this node's decision. */
    public ConResp response(PeerId peer, int localIndex, String echo, boolean secure) {
        return (ConResp) signed(new ConResp(ControlMessage.PROTOCOL_VERSION, self.name(), self.instance(),
                self.address().toString(), self.mac().toString(), self.groups(), nonce(), localIndex,
                System.currentTimeMillis(), echo, secure, certificate, null, peer.name(), cands()));
    }

    /** This node's own candidate endpoints as its hellos name them now (empty if none). */
    List<String> ownCandidates() {
        List<String> c = cands();
        return c == null ? List.of() : c;
    }

    private List<String> cands() {
        List<String> c = candidates.get();
        return c == null || c.isEmpty() ? null : c;
    }

    private Hello signed(Hello h) {
        return identity.map(id -> HelloSigning.sign(h, id.privateKey())).orElse(h);
    }

    static String nonce() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
