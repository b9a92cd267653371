package io.ipop.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.secure.NodeTls;
import io.ipop.secure.Pem;
import io.ipop.secure.PkiException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ipop-node status [--url http://127.0.0.1:8558] [--token T] [--cacert FILE]}: fetches
 * {@code /overlay/node} and {@code /overlay/links} twice, one second apart (for the rates), and prints
 * {@link StatusTable}. The token defaults to {@code $IPOP_MANAGEMENT_TOKEN}; {@code --cacert} names the PEM
 * certificate an {@code https://} API's certificate must chain to (e.g. the overlay's {@code ca.crt}),
 * instead of the JDK's trusted roots. Exit 0; 1 if the node does not answer (or
 * refuses the token); 2 for a bad command line.
 */
@Command(name = "status", mixinStandardHelpOptions = true, synopsisHeading = "usage: ", sortOptions = false,
        description = "Prints a running node's links as a table, from its management API (rates over one second).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:the node does not answer, or refuses the token", "2:bad command line"},
        footerHeading = "%nExamples:%n",
        footer = {"  ipop-node status", "  IPOP_MANAGEMENT_TOKEN=... ipop-node status --url https://10.0.0.5:8558 --cacert pki/ca.crt"})
public final class StatusCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int NO_ANSWER = 1;
    private static final String DEFAULT_URL = "http://127.0.0.1:8558";
    private static final Duration SAMPLE_GAP = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;
    @Option(names = "--url", paramLabel = "URL", description = "the node's management API (default " + DEFAULT_URL + ")")
    private String url = DEFAULT_URL;
    @Option(names = "--token", paramLabel = "TOKEN", description = "its bearer token (default $IPOP_MANAGEMENT_TOKEN)")
    private String token;
    @Option(names = "--cacert", paramLabel = "CA.crt",
            description = "PEM certificate an https:// API's certificate must chain to (e.g. the overlay's ca.crt)")
    private Path caCert;

    private StatusCommand() {
    }

    /** Where and how to ask: the API's base URL, its token ("" for none), the client. */
    private record Api(String base, String token, HttpClient http) {
    }

    @Override
    public Integer call() {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ParameterException(spec.commandLine(), "--url must start with http:// or https://, was " + url);
        }
        String bearer = token != null ? token : System.getenv("IPOP_MANAGEMENT_TOKEN");
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (caCert != null) {
            try {
                client.sslContext(trusting(caCert));
            } catch (PkiException | GeneralSecurityException e) {
                throw new ParameterException(spec.commandLine(), "--cacert " + caCert + ": " + e.getMessage());
            }
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return show(new Api(base, bearer == null ? "" : bearer, client.build()), spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** A TLS context whose only trust anchor is the certificate in {@code file}. */
    private static SSLContext trusting(Path file) throws PkiException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(NodeTls.trustStore(Pem.readCertificate(file)));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static int show(Api api, PrintWriter out, PrintWriter err) {
        try {
            JsonNode node = get(api, "/overlay/node");
            JsonNode before = get(api, "/overlay/links");
            long start = System.nanoTime();
            Thread.sleep(SAMPLE_GAP.toMillis());
            JsonNode after = get(api, "/overlay/links");
            double seconds = (System.nanoTime() - start) / 1e9;
            out.print(StatusTable.render(node, before, after, seconds, Instant.now()));
            return OK;
        } catch (NoAnswer e) {
            err.println("ipop-node status: " + e.getMessage());
            return NO_ANSWER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NO_ANSWER;
        }
    }

    private static JsonNode get(Api api, String path) throws NoAnswer, InterruptedException {
        String base = api.base();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET();
        if (!api.token().isEmpty()) {
            req.header("Authorization", "Bearer " + api.token());
        }
        HttpResponse<String> resp;
        try {
            resp = api.http().send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new NoAnswer("no answer from " + base + " (connection refused: is the node running, is --url right?)");
        } catch (HttpTimeoutException e) {
            throw new NoAnswer("no answer from " + base + " within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException | IllegalArgumentException e) {
            throw new NoAnswer("no answer from " + base + ": " + e);
        }
        if (resp.statusCode() == 401) {
            throw new NoAnswer(base + " wants a token: pass --token or set IPOP_MANAGEMENT_TOKEN");
        }
        if (resp.statusCode() != 200) {
            throw new NoAnswer(base + path + " answered " + resp.statusCode() + ": " + resp.body().strip());
        }
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new NoAnswer(base + path + " did not answer JSON: is this an ipop-node?");
        }
    }

    /** The node could not be asked, with the reason for the operator. */
    private static final class NoAnswer extends Exception {
        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }
}
