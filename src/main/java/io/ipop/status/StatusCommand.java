package io.ipop.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.secure.NodeTls;
import io.ipop.secure.Pem;
import io.ipop.secure.PkiException;
import java.io.IOException;
import java.io.PrintStream;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code ipop-node status [--url http://127.0.0.1:8558] [--token T] [--cacert FILE]}: fetches
 * {@code /overlay/node} and {@code /overlay/links} twice, one second apart (for the rates), and prints
 * {@link StatusTable}. The token defaults to {@code $IPOP_MANAGEMENT_TOKEN}; {@code --cacert} names the PEM
 * certificate an {@code https://} API's certificate must chain to (e.g. the overlay's {@code ca.crt}),
 * instead of the JDK's trusted roots. Exit 0; 1 if the node does not answer (or
 * refuses the token); 2 for a bad command line.
 */
public final class StatusCommand {
    static final int OK = 0;
    static final int NO_ANSWER = 1;
    static final int USAGE = 2;
    static final String USAGE_TEXT = "usage: ipop-node status [--url http://127.0.0.1:8558] [--token TOKEN] [--cacert CA.crt]";
    private static final String DEFAULT_URL = "http://127.0.0.1:8558";
    private static final Duration SAMPLE_GAP = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String token;

    private StatusCommand(String base, String token, HttpClient http) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.http = http;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String url = DEFAULT_URL;
        String token = System.getenv("IPOP_MANAGEMENT_TOKEN");
        String caCert = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url", "--token", "--cacert" -> {
                    if (i + 1 >= args.length) {
                        err.println("ipop-node status: " + args[i] + " needs a value\n" + USAGE_TEXT);
                        return USAGE;
                    }
                    switch (args[i]) {
                        case "--url" -> url = args[++i];
                        case "--token" -> token = args[++i];
                        default -> caCert = args[++i];
                    }
                }
                case "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                default -> {
                    err.println("ipop-node status: unknown argument " + args[i] + "\n" + USAGE_TEXT);
                    return USAGE;
                }
            }
        }
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            err.println("ipop-node status: --url must start with http:// or https://, was " + url);
            return USAGE;
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (caCert != null) {
            try {
                client.sslContext(trusting(Path.of(caCert)));
            } catch (PkiException | GeneralSecurityException e) {
                err.println("ipop-node status: --cacert " + caCert + ": " + e.getMessage());
                return USAGE;
            }
        }
        return new StatusCommand(url, token == null ? "" : token, client.build()).show(out, err);
    }

    /** A TLS context whose only trust anchor is the certificate in {@code file}. */
    private static SSLContext trusting(Path file) throws PkiException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(NodeTls.trustStore(Pem.readCertificate(file)));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private int show(PrintStream out, PrintStream err) {
        try {
            JsonNode node = get("/overlay/node");
            JsonNode before = get("/overlay/links");
            long start = System.nanoTime();
            Thread.sleep(SAMPLE_GAP.toMillis());
            JsonNode after = get("/overlay/links");
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

    private JsonNode get(String path) throws NoAnswer, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET();
        if (!token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
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
