package io.ipop.peer;

import io.ipop.secure.PeerIdentity;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One side's security decision for a link, with the reason shown in {@code /overlay/links}.
 *
 * @param reason {@code secure-peer}, {@code mode:always}, {@code mode:never}, {@code groups:a,b},
 *               {@code no-common-group}, or after {@link #combine} {@code peer-requires}
 */
public record SecurityDecision(boolean secure, String reason) {

    /**
     * This side's decision. {@code secure-peers} forces a secure link in every mode; otherwise
     * {@code always}/{@code never} decide alone, and {@code by-group} asks for a secure link iff the two
     * group sets intersect. {@code verified} is the peer's verified certificate (empty for a peer without
     * one): only its address, name and groups count, never what the hello claims.
     */
    public static SecurityDecision decide(SecuritySettings.Mode mode, List<String> localGroups, SecurePeers securePeers,
                                          Optional<PeerIdentity> verified) {
        if (securePeers.matches(verified)) {
            return new SecurityDecision(true, "secure-peer");
        }
        List<String> remoteGroups = verified.map(PeerIdentity::groups).orElse(List.of());
        return switch (mode) {
            case ALWAYS -> new SecurityDecision(true, "mode:always");
            case NEVER -> new SecurityDecision(false, "mode:never");
            case BY_GROUP -> {
                TreeSet<String> common = new TreeSet<>(localGroups);
                common.retainAll(remoteGroups);
                yield common.isEmpty()
                        ? new SecurityDecision(false, "no-common-group")
                        : new SecurityDecision(true, "groups:" + String.join(",", common));
            }
        };
    }

    /** The link's decision: secure if either side says so (a node never sends plaintext where its policy says secure). */
    public SecurityDecision combine(boolean peerSecure) {
        if (secure || !peerSecure) {
            return this;
        }
        return new SecurityDecision(true, "peer-requires");
    }
}
