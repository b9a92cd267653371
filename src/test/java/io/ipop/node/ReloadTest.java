package io.ipop.node;

import static io.ipop.node.TestNodes.await;
import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import io.ipop.node.TestNodes.Node;
import io.ipop.peer.LinkState;
import io.ipop.secure.OverlayCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live reload with whole nodes in one JVM: peers come and go, a link changes mode, the rest stays put. */
class ReloadTest {
    @TempDir
    Path dir;
    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void addedPeersAreLinkedRemovedOnesUnlinkedAndTheOthersUndisturbed() throws Exception {
        AtomicReference<String> config = new AtomicReference<>(TestNodes.config("a", 1, "", "b:2", "c:3"));
        Node a = nodes.start("a", 1, config::get);
        Node b = nodes.start("b", 2, "", "a:1");
        Node c = nodes.start("c", 3, "", "a:1");
        Node d = nodes.start("d", 4, "", "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(a, "c", LinkState.UP);

        config.set(TestNodes.config("a", 1, "", "b:2", "d:4"));
        ReloadResult r = reload(a);
        assertTrue(r.applied(), r.message());
        assertEquals("changed ipop.peers; peers +d -c", r.message());
        awaitState(a, "d", LinkState.UP);
        awaitState(d, "a", LinkState.UP);
        await(() -> a.link("c") == null, "c's link is gone from a");
        awaitState(c, "a", LinkState.LOST);
        assertTrue(c.snapshot("a").reason().contains("peer removed from the config of a"), c.snapshot("a").reason());
        assertEquals(LinkState.UP, a.snapshot("b").state());
        assertEquals(1, a.link("b").setups().linksUp(), "the link to b was never set up again");

        config.set(TestNodes.config("a", 1, "", "b:2", "c:3", "d:4"));
        assertTrue(reload(a).applied());
        awaitState(a, "c", LinkState.UP);
        awaitState(c, "a", LinkState.UP);
        assertEquals(1, a.link("b").setups().linksUp());
    }

    @Test
    void aConfigThatCannotApplyIsRefusedWholeAndTheNodeKeepsItsOwn() throws Exception {
        AtomicReference<String> config = new AtomicReference<>(TestNodes.config("a", 1, "", "b:2"));
        Node a = nodes.start("a", 1, config::get);
        nodes.start("b", 2, "", "a:1");
        awaitState(a, "b", LinkState.UP);

        config.set(TestNodes.config("a", 1, "tap.mtu = 1300", "c:3"));
        ReloadResult mtu = reload(a);
        assertFalse(mtu.applied());
        assertTrue(mtu.message().startsWith("ipop.tap.mtu: cannot change while the node runs"), mtu.message());

        config.set(TestNodes.config("a", 1, "groups = [ \"not a group\" ]", "c:3"));
        ReloadResult invalid = reload(a);
        assertFalse(invalid.applied());
        assertTrue(invalid.message().startsWith("config error: ipop.groups[0]"), invalid.message());

        config.set("ipop { node.name = \"a\"");
        assertFalse(reload(a).applied(), "a HOCON syntax error is refused too");

        assertNull(a.link("c"), "nothing of the refused files was applied");
        assertEquals(LinkState.UP, a.snapshot("b").state());
        assertEquals(1400, NodeRuntime.get(a.system()).state().settings().tap().mtu());
    }

    @Test
    void newCertificateWithACommonGroupMakesThePlaintextLinkSecureAndLeavesTheOtherLinkAlone() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", addr(1), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", addr(2), List.of("red"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "c", addr(3), List.of("blue"), Duration.ofDays(1), false);
        Node a = nodes.start("a", 1, security(pki, "a", "blue"), "b:2", "c:3");
        AtomicReference<String> bConfig = new AtomicReference<>(TestNodes.config("b", 2, security(pki, "b", "red"), "a:1", "c:3"));
        Node b = nodes.start("b", 2, bConfig::get);
        Node c = nodes.start("c", 3, security(pki, "c", "blue"), "a:1", "b:2");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        awaitState(a, "c", LinkState.UP);
        awaitState(b, "c", LinkState.UP);
        assertEquals(false, a.snapshot("b").security().secure());
        assertEquals(false, b.snapshot("c").security().secure());

        OverlayCa.sign(pki, "b", addr(2), List.of("green", "blue"), Duration.ofDays(1), true);
        bConfig.set(TestNodes.config("b", 2, security(pki, "b", "green\", \"blue"), "a:1", "c:3"));
        ReloadResult r = reload(b);
        assertTrue(r.applied(), r.message());
        assertTrue(r.message().contains("ipop.groups"), r.message());

        await(() -> secureUp(a, "b") && secureUp(b, "a"), "a-b secure and up: a " + a.snapshot("b") + " / b " + b.snapshot("a"));
        assertEquals("groups:blue", a.snapshot("b").security().reason());
        assertNotNull(b.snapshot("a").cipherSuite());
        await(() -> secureUp(b, "c") && secureUp(c, "b"), "b-c secure too: b and c now share blue");
        assertEquals(1, a.link("c").setups().linksUp(), "a-c was not touched");
        assertEquals(List.of("blue", "green"), NodeRuntime.get(b.system()).state().node().groups());
    }

    private static boolean secureUp(Node n, String peer) {
        var s = n.snapshot(peer);
        return s.state() == LinkState.UP && s.security() != null && s.security().secure() && s.cipherSuite() != null;
    }

    private static ReloadResult reload(Node n) throws Exception {
        return NodeRuntime.get(n.system()).reload().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static OverlayAddress addr(int host) {
        return OverlayAddress.parse("10.77.0." + host + "/24", true);
    }

    private static String security(Path pki, String name, String groups) {
        return """
                groups = [ "%s" ]
                security { mode = by-group, ca = "%s", cert = "%s", key = "%s" }
                """.formatted(groups, pki.resolve("ca.crt"), pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
    }
}
