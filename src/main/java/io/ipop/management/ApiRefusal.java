package io.ipop.management;

/**
 * Why the management API refused a request, one named counter each ({@link ApiRefusals}); checked in this
 * order by {@link ApiGuard}. The threat: a web page open in a browser on the node's host (DESIGN.md, section 7).
 */
public enum ApiRefusal {
    /** 403: the {@code Host} header names neither loopback nor this API: a page reached it by DNS rebinding. */
    BAD_HOST("bad_host", 403),
    /** 403: a state-changing request ({@code POST}, {@code PUT}, {@code DELETE}, ...) sent by a page of another origin. */
    CROSS_SITE("cross_site", 403),
    /** 401: a token is set and the request carries none. */
    NO_TOKEN("no_token", 401),
    /** 401: the request carries another token. */
    WRONG_TOKEN("wrong_token", 401),
    /** 401: {@code ?access_token=} on a route other than {@code GET /}: URLs end up in logs, histories and Referer headers. */
    TOKEN_IN_URL("token_in_url", 401);

    private final String counter;
    private final int status;

    ApiRefusal(String counter, int status) {
        this.counter = counter;
        this.status = status;
    }

    /** The counter's name in {@code /overlay/node} and {@code /metrics}. */
    public String counter() {
        return counter;
    }

    /** The HTTP status the request is answered with. */
    public int status() {
        return status;
    }
}
