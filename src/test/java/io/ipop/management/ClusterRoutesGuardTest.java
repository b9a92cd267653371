package io.ipop.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.node.ManagementSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pekko Management's own routes sit behind the same guard as ours: on a one-member cluster with
 * pekko-management-cluster-http's routes (as a node with cluster discovery serves them), a cross-site
 * {@code PUT}/{@code DELETE} on {@code /cluster/members/...} and a rebound {@code Host} are refused, and the
 * member stays up; the same request without an {@code Origin} (curl) works.
 */
class ClusterRoutesGuardTest {
    private ActorSystem<Void> system;
    private RawHttp http;
    private String member;

    @BeforeEach
    void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "guard", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.cluster.jmx.enabled = off
                pekko.loglevel = WARNING
                pekko.management.http.route-providers-read-only = false
                pekko.management.http.routes.cluster-management = "org.apache.pekko.management.cluster.ClusterHttpManagementRouteProvider"
                """).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        awaitStatus(MemberStatus.up());
        member = "/cluster/members/" + cluster.selfMember().address();
        int port = ManagementServer.start(system, new ManagementSettings("127.0.0.1", 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).localAddress().getPort();
        http = new RawHttp(SocketFactory.getDefault(), port);
    }

    @AfterEach
    void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @Test
    void crossSiteClusterChangesAndReboundHostsAreRefusedAndTheMemberStaysUp() throws Exception {
        assertEquals(200, http.send("GET", member).status(), "the route is there: " + member);
        assertEquals(403, http.sendForm("PUT", member, "operation=Down", "Origin", "http://attacker.example").status());
        assertEquals(403, http.sendForm("PUT", member, "operation=Leave", "Sec-Fetch-Site", "cross-site").status());
        assertEquals(403, http.send("DELETE", member, "Origin", "null").status());
        assertEquals(403, http.send("GET", "/cluster/members", "Host", "attacker.example").status());
        assertEquals(403, http.send("DELETE", member, "Host", "attacker.example").status());
        Thread.sleep(500);
        assertEquals(MemberStatus.up(), Cluster.get(system).selfMember().status(), "no attack reached the cluster");
        assertEquals(3, ApiRefusals.get(system).of(ApiRefusal.CROSS_SITE));
        assertEquals(2, ApiRefusals.get(system).of(ApiRefusal.BAD_HOST));

        RawHttp.Answer leave = http.send("DELETE", member);
        assertEquals(200, leave.status(), "without an Origin (curl) the route works: " + leave.body());
        awaitStatus(MemberStatus.exiting());
    }

    private void awaitStatus(MemberStatus wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            MemberStatus now = Cluster.get(system).selfMember().status();
            if (now.equals(wanted) || wanted.equals(MemberStatus.exiting()) && !now.equals(MemberStatus.up())) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "member status " + now + ", waiting for " + wanted);
            Thread.sleep(20);
        }
    }
}
