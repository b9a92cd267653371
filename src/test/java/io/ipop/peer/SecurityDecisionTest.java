package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.frame.OverlayAddress;
import io.ipop.node.SecuritySettings.Mode;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table: every mode, intersecting or disjoint groups, secure-peers, and the either-side rule. */
class SecurityDecisionTest {
    private static final OverlayAddress PEER = OverlayAddress.parse("10.77.0.2/24", true);
    private static final List<String> LOCAL = List.of("blue", "red");
    private static final List<String> SHARED = List.of("green", "red");
    private static final List<String> DISJOINT = List.of("green");
    private static final Set<Integer> NONE = Set.of();
    private static final Set<Integer> THIS_PEER = Set.of(PEER.address());
    private static final Set<Integer> OTHER_PEER = Set.of(OverlayAddress.parse("10.77.0.9/24", true).address());

    static Stream<Arguments> table() {
        return Stream.of(
                // mode, remote groups, secure-peers, peer says secure -> link secure, reason
                Arguments.of(Mode.BY_GROUP, SHARED, NONE, false, true, "groups:red"),
                Arguments.of(Mode.BY_GROUP, SHARED, NONE, true, true, "groups:red"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, NONE, false, false, "no-common-group"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, NONE, true, true, "peer-requires"),
                Arguments.of(Mode.BY_GROUP, List.of(), NONE, false, false, "no-common-group"),
                Arguments.of(Mode.BY_GROUP, DISJOINT, THIS_PEER, false, true, "secure-peer"),
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
                Arguments.of(Mode.NEVER, DISJOINT, OTHER_PEER, true, true, "peer-requires"));
    }

    @ParameterizedTest(name = "{0} remote={1} securePeers={2} peerSecure={3} -> {4} {5}")
    @MethodSource("table")
    void linkIsSecureIfEitherSideSaysSo(Mode mode, List<String> remoteGroups, Set<Integer> securePeers,
                                        boolean peerSecure, boolean expectSecure, String expectReason) {
        SecurityDecision local = SecurityDecision.decide(mode, LOCAL, securePeers, PEER, remoteGroups);
        SecurityDecision link = local.combine(peerSecure);
        assertEquals(expectSecure, link.secure());
        assertEquals(expectReason, link.reason());
    }
}
