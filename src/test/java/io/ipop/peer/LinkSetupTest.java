package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a session knows of its link's setup, and what a further con_req on the link means. */
class LinkSetupTest {
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");
    private static final SecurityDecision SECURE = new SecurityDecision(true, "groups:blue");

    private final LinkSetup setup = new LinkSetup();

    @Test
    void beforeHearingThePeerNothingIsDecided() {
        assertFalse(setup.decided());
        assertNull(setup.stated());
        assertNull(setup.remote());
        assertNull(setup.fingerprint());
    }

    @Test
    void aHelloGivesThePeerAndBothDecisions() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, null), Optional.empty(), PLAIN);
        assertTrue(setup.decided());
        assertEquals("b", setup.remote().name());
        assertEquals(7, setup.remote().index());
        assertEquals(false, setup.stated());
        assertEquals(false, setup.peerDecision());
        assertEquals(PLAIN, setup.agreed());
    }

    @Test
    void theLinkIsSecureIfEitherSideSaysSo() {
        setup.heard(conResp("i1", 7, true), Optional.empty(), PLAIN);
        assertEquals(new SecurityDecision(true, "peer-requires"), setup.agreed());
        setup.heard(conResp("i1", 7, false), Optional.empty(), SECURE);
        assertEquals(SECURE, setup.agreed());
    }

    @Test
    void aRequestWithoutDecisionLeavesThePeersDecisionOpen() {
        setup.heard(conReq("i1", 7, List.of("blue"), null, null), Optional.empty(), PLAIN);
        assertNull(setup.peerDecision());
        assertEquals(false, setup.stated(), "this side states its own decision in its next con_req");
    }

    @Test
    void theSameRequestAgainIsADuplicate() {
        ConReq req = conReq("i1", 7, List.of("blue"), false, "Y2VydDE=");
        setup.heard(req, Optional.empty(), PLAIN);
        assertTrue(setup.isDuplicate(req));
        assertTrue(setup.sameSetup(req));
    }

    @Test
    void otherGroupsOrAnotherCertificateAreTheSameSetupButNoDuplicate() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, "Y2VydDE="), Optional.empty(), PLAIN);
        ConReq otherGroups = conReq("i1", 7, List.of("red"), false, "Y2VydDE=");
        ConReq otherCertificate = conReq("i1", 7, List.of("blue"), false, "Y2VydDI=");
        assertTrue(setup.sameSetup(otherGroups));
        assertFalse(setup.isDuplicate(otherGroups));
        assertTrue(setup.sameSetup(otherCertificate));
        assertFalse(setup.isDuplicate(otherCertificate));
    }

    @Test
    void aRestartedPeerSetsTheLinkUpAgain() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, null), Optional.empty(), PLAIN);
        for (ConReq req : List.of(conReq("i2", 7, List.of("blue"), false, null), conReq("i1", 8, List.of("blue"), false, null))) {
            assertFalse(setup.samePeerProcess(req));
            assertFalse(setup.sameSetup(req));
            assertEquals("peer restarted (new instance or index)", setup.whySetUpAgain(req));
        }
    }

    @Test
    void aRequestWithAnotherOrNoDecisionSetsTheLinkUpAgain() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, null), Optional.empty(), PLAIN);
        ConReq none = conReq("i1", 7, List.of("blue"), null, null);
        ConReq secure = conReq("i1", 7, List.of("blue"), true, null);
        assertTrue(setup.samePeerProcess(none));
        assertFalse(setup.sameSetup(none));
        assertEquals("peer set the link up again", setup.whySetUpAgain(none));
        assertFalse(setup.sameSetup(secure));
        assertEquals("peer now decides secure: setting the link up again", setup.whySetUpAgain(secure));
    }

    @Test
    void aChangedPeerIsTakenWithoutForgettingItsDecision() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, "Y2VydDE="), Optional.empty(), PLAIN);
        ConReq changed = conReq("i1", 7, List.of("red"), false, "Y2VydDI=");
        setup.changed(changed, Optional.empty(), new SecurityDecision(false, "no-common-group"));
        assertTrue(setup.isDuplicate(changed), "now the request the link knows");
        assertEquals(List.of("red"), setup.remote().groups());
        assertEquals(false, setup.peerDecision());
        assertEquals("no-common-group", setup.local().reason());
    }

    @Test
    void onlyAChangeOfModeFlipsThisSidesDecision() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, null), Optional.empty(), PLAIN);
        assertFalse(setup.flips(new SecurityDecision(false, "no-common-group")));
        assertTrue(setup.flips(SECURE));
        setup.redecided(new SecurityDecision(false, "no-common-group"));
        assertEquals("no-common-group", setup.local().reason());
    }

    @Test
    void settingUpAgainForgetsTheDecisionsButNotThePeer() {
        setup.heard(conReq("i1", 7, List.of("blue"), false, null), Optional.empty(), PLAIN);
        setup.restart(null);
        assertNull(setup.stated());
        assertNull(setup.peerDecision());
        assertEquals("b", setup.remote().name(), "the link still shows who the peer was");
        setup.restart(SECURE);
        assertEquals(true, setup.stated(), "a decision already stated in the first con_req");
        setup.forgetDecision();
        assertFalse(setup.decided());
    }

    private static ConReq conReq(String instance, int index, List<String> groups, Boolean secure, String cert) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02", groups,
                "n-b", index, 0, secure, cert, null);
    }

    private static ConResp conResp(String instance, int index, Boolean secure) {
        return new ConResp(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "r-b", index, 0, "n-a", secure, null, null);
    }
}
