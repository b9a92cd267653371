package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.frame.OverlayAddress;
import io.ipop.peer.SecuritySettings.Mode;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerIdentity;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision table: every mode, intersecting or disjoint groups, secure-peers (by the certified address or
 * name), and the either-side rule; secure-peers never matches a peer without a verified certificate.
 */
class SecurityDecisionTest {
    private static final OverlayAddress PEER = OverlayAddress.parse("10.77.0.2/24", true);
    private static final List<String> LOCAL = List.of("blue", "red");
    private static final List<String> SHARED = List.of("green", "red");
    private static final List<String> DISJOINT = List.of("green");
    private static final SecurePeers NONE = SecurePeers.NONE;
    private static final SecurePeers THIS_PEER = new SecurePeers(Set.of(PEER.address()), Set.of());
    private static final SecurePeers THIS_NAME = new SecurePeers(Set.of(), Set.of("b"));
    private static final SecurePeers OTHER_PEER = new SecurePeers(
            Set.of(OverlayAddress.parse("10.77.0.9/24", true).address()), Set.of("c"));
    @TempDir
    static Path dir;
    private static X509Certificate certificate;

    @BeforeAll
    static void aCertificate() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "b", PEER, List.of("green"), Duration.ofDays(1), false);
        certificate = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("b.crt"), dir.resolve("b.key")).certificate();
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // mode, remote groups, secure-peers, peer says secure -> link secure, reason
                Arguments.of(Mode.BY_GROUP, SHARED, NONE, false, true, "groups:red"),
                Arguments.of(Mode.BY_GROUP, SHARED, NONE, true, true, "groups:red"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, NONE, false, false, "no-common-group"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, NONE, true, true, "peer-requires"),
                Arguments.of(Mode.BY_GROUP, List.of(), NONE, false, false, "no-common-group"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, THIS_PEER, false, true, "secure-peer"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, THIS_NAME, false, true, "secure-peer"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, OTHER_PEER, false, false, "no-common-group"),
                Arguments.of(Mode.BY_GROUP, List.of("blue", "red"), NONE, false, true, "groups:blue,red"),
                Arguments.of(Mode.ALWAYS, SHARED, NONE, false, true, "mode:always"),
                Arguments.of(Mode.ALWAYS, DISJOINT, NONE, false, true, "mode:always"),
                Arguments.of(Mode.ALWAYS, DISJOINT, THIS_PEER, false, true, "secure-peer"),
                Arguments.of(Mode.ALWAYS, DISJOINT, NONE, true, true, "mode:always"),
                Arguments.of(Mode.NEVER, SHARED, NONE, false, false, "mode:never"),
                Arguments.of(Mode.NEVER, DISJOINT, NONE, false, false, "mode:never"),
                Arguments.of(Mode.NEVER, SHARED, NONE, true, true, "peer-requires"),
                Arguments.of(Mode.NEVER, DISJOINT, THIS_PEER, false, true, "secure-peer"),
                Arguments.of(Mode.NEVER, DISJOINT, THIS_NAME, false, true, "secure-peer"),
                Arguments.of(Mode.NEVER, DISJOINT, OTHER_PEER, true, true, "peer-requires"));
    }

    @ParameterizedTest(name = "{0} remote={1} securePeers={2} peerSecure={3} -> {4} {5}")
    @MethodSource("table")
    void linkIsSecureIfEitherSideSaysSo(Mode mode, List<String> remoteGroups, SecurePeers securePeers,
                                        boolean peerSecure, boolean expectSecure, String expectReason) {
        SecurityDecision local = SecurityDecision.decide(mode, LOCAL, securePeers, Optional.of(certified(remoteGroups)));
        SecurityDecision link = local.combine(peerSecure);
        assertEquals(expectSecure, link.secure());
        assertEquals(expectReason, link.reason());
    }

    /** The attack: a hello that only claims a secure peer's address (no certificate) is no secure peer. */
    @Test
    void securePeersNeverMatchesAClaimedAddressWithoutACertificate() {
        assertEquals(new SecurityDecision(false, "mode:never"),
                SecurityDecision.decide(Mode.NEVER, LOCAL, THIS_PEER, Optional.empty()));
        assertEquals(new SecurityDecision(false, "mode:never"),
                SecurityDecision.decide(Mode.NEVER, LOCAL, THIS_NAME, Optional.empty()));
    }

    private static PeerIdentity certified(List<String> groups) {
        return new PeerIdentity("b", PEER, groups.stream().sorted().toList(), certificate, "fp");
    }
}
