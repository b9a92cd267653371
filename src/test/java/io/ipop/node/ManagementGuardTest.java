package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.management.ApiRefusal;
import io.ipop.management.ApiRefusals;
import io.ipop.management.ManagementServer;
import io.ipop.management.RawHttp;
import io.ipop.management.RawHttp.Answer;
import io.ipop.node.TestNodes.Node;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeTls;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.Pem;
import io.ipop.secure.TlsCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web page on the node's host must not drive its management API (DESIGN.md section 7, issue 14 part 5),
 * over real HTTP with what a browser sends: a rebound name in {@code Host} is refused on every route, a
 * state-changing request from another origin is refused and the reload does not happen, and the token
 * travels in the URL for the page only. With the default settings: loopback, no token.
 */
class ManagementGuardTest {
    private static final String TOKEN = "guard-token-0123456789";

    private final TestNodes nodes = new TestNodes();
    private Node a;
    private RawHttp http;
    private int port;

    private void start(String extra, ManagementSettings api) throws Exception {
        a = nodes.start("a", 1, extra);
        port = ManagementServer.start(a.system(), api).toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress().getPort();
        http = new RawHttp(SocketFactory.getDefault(), port);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedOnEveryRoute() throws Exception {
        start("", new ManagementSettings("127.0.0.1", 0));
        for (String path : List.of("/alive", "/ready", "/metrics", "/overlay/node", "/overlay/links", "/", "/no-such-route")) {
            Answer a = http.send("GET", path, "Host", "attacker.example:" + port);
            assertEquals(403, a.status(), path);
            assertFalse(a.body().contains("\"name\""), path + " leaks nothing: " + a.body());
        }
        assertEquals(403, http.send("POST", "/overlay/reload", "Host", "attacker.example").status());
        assertEquals(403, http.send("GET", "/overlay/node", "Host", "127.0.0.1.attacker.example").status());
        assertEquals(400, http.send("GET", "/overlay/node", "Host", "").status(), "Pekko HTTP refuses an empty Host itself");
        assertEquals(0, reloads().applied(), "the rebound page's reload did not happen");
        assertEquals(9, refused(ApiRefusal.BAD_HOST));

        for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "127.1.2.3:80", "localhost:" + port, "LOCALHOST", "[::1]:" + port)) {
            assertEquals(200, http.send("GET", "/overlay/node", "Host", host).status(), host);
        }
    }

    @Test
    void aStateChangeFromAnotherOriginIsRefusedAndTheReloadDoesNotHappen() throws Exception {
        start("", new ManagementSettings("127.0.0.1", 0));
        String[][] crossSite = {
            {"Origin", "http://attacker.example"},
            {"Origin", "null"},                                   // a file: page, a sandboxed frame
            {"Origin", "http://127.0.0.1:9000"},                  // same site, another port: another origin
            {"Origin", "https://127.0.0.1:" + port},              // another scheme
            {"Sec-Fetch-Site", "cross-site"},
            {"Sec-Fetch-Site", "same-site"},
        };
        for (String[] h : crossSite) {
            assertEquals(403, http.send("POST", "/overlay/reload", h[0], h[1]).status(), h[0] + ": " + h[1]);
        }
        for (String method : List.of("PUT", "DELETE", "PATCH")) {
            assertEquals(403, http.send(method, "/cluster/members/x", "Origin", "http://attacker.example").status(),
                    method + ": refused before routing, whichever route it is");
        }
        assertEquals(0, reloads().applied() + reloads().refused(), "no reload ran");
        assertEquals(crossSite.length + 3, refused(ApiRefusal.CROSS_SITE));

        assertEquals(200, http.send("POST", "/overlay/reload").status(), "curl sends no Origin");
        assertEquals(200, http.send("POST", "/overlay/reload", "Origin", "http://127.0.0.1:" + port,
                "Sec-Fetch-Site", "same-origin").status(), "the API's own origin");
        assertEquals(200, http.send("POST", "/overlay/reload", "Sec-Fetch-Site", "none").status(), "the user's own action");
        assertEquals(3, reloads().applied());

        Answer read = http.send("GET", "/overlay/node", "Origin", "http://attacker.example", "Sec-Fetch-Site", "cross-site");
        assertEquals(200, read.status(), "a cross-site read changes nothing ...");
        assertFalse(read.headers().containsKey("access-control-allow-origin"), "... and the page may not read it (no CORS)");
        assertTrue(read.body().contains("\"reloads\" : {"), read.body());
    }

    @Test
    void theTokenIsStillNeededAndTravelsInTheUrlForThePageOnly() throws Exception {
        start("management.token = \"" + TOKEN + "\"", new ManagementSettings("127.0.0.1", 0, TOKEN));
        assertEquals(200, http.send("GET", "/?access_token=" + TOKEN).status(), "the page opened in a browser");
        assertEquals(401, http.send("GET", "/?access_token=wrong-token-0123456789").status());
        assertEquals(401, http.send("GET", "/overlay/node?access_token=" + TOKEN).status());
        assertEquals(401, http.send("POST", "/overlay/reload?access_token=" + TOKEN).status());
        assertEquals(2, refused(ApiRefusal.TOKEN_IN_URL));
        assertEquals(401, http.send("POST", "/overlay/reload").status());
        assertEquals(1, refused(ApiRefusal.NO_TOKEN));
        assertEquals(403, http.send("POST", "/overlay/reload", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://attacker.example").status(), "a token does not make a cross-site request acceptable");
        assertEquals(0, reloads().applied());
        assertEquals(200, http.send("POST", "/overlay/reload", "Authorization", "Bearer " + TOKEN).status());
        assertEquals(1, reloads().applied());
    }

    @Test
    void allowedHostsAndAWildcardBindWidenTheHostCheckOnly() throws Exception {
        start("management { token = \"" + TOKEN + "\", allowed-hosts = [ \"node-a.example\" ] }", new ManagementSettings("0.0.0.0", 0, TOKEN));
        String auth = "Bearer " + TOKEN;
        assertEquals(401, http.send("GET", "/alive", "Host", "node-a.example:8558").status(), "the name passes the host check");
        assertEquals(200, http.send("GET", "/alive", "Host", "192.0.2.7:8558", "Authorization", auth).status(),
                "bound to 0.0.0.0: any address, never a name");
        assertEquals(200, http.send("GET", "/alive", "Host", "[2001:db8::7]", "Authorization", auth).status());
        assertEquals(403, http.send("GET", "/alive", "Host", "attacker.example", "Authorization", auth).status());
        assertEquals(403, http.send("POST", "/overlay/reload", "Host", "node-a.example", "Authorization", auth,
                "Origin", "http://attacker.example").status());
    }

    @Test
    void httpsPresentsTheConfiguredCertificateAndTheOriginIsHttps(@TempDir Path pki) throws Exception {
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of(), Duration.ofDays(1), false);
        TlsCredentials tls = TlsCredentials.load(pki.resolve("a.crt"), pki.resolve("a.key"));
        start("", new ManagementSettings("127.0.0.1", 0, "", List.of(), Optional.of(tls)));
        SSLContext client = SSLContext.getInstance("TLS");
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(NodeTls.trustStore(OverlayCa.readCaCertificate(pki.resolve("ca.crt"))));
        client.init(null, trust.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            assertEquals(Pem.readCertificate(pki.resolve("a.crt")), s.getSession().getPeerCertificates()[0],
                    "the node certificate, which chains to the overlay CA");
        }
        RawHttp https = new RawHttp(client.getSocketFactory(), port);
        assertEquals(200, https.send("GET", "/overlay/node").status());
        assertEquals(403, https.send("POST", "/overlay/reload", "Origin", "http://127.0.0.1:" + port).status(),
                "an http: page is another origin than the https: API");
        assertEquals(200, https.send("POST", "/overlay/reload", "Origin", "https://127.0.0.1:" + port).status());
        assertThrows(IOException.class, () -> http.send("GET", "/alive"), "no plain HTTP on the HTTPS port");
    }

    private NodeRuntime.Reloads reloads() {
        return NodeRuntime.get(a.system()).reloads();
    }

    private long refused(ApiRefusal why) {
        return ApiRefusals.get(a.system()).of(why);
    }
}
