package io.ipop.discovery;

/**
 * Why a peer record from the cluster directory is not followed: one named counter per reason, shown in
 * {@code /overlay/node} ({@code cluster_records.refused}) and {@code /metrics}
 * ({@code ipop_cluster_records_refused{reason}}). Each distinct record is counted once, however often the
 * gossip repeats it.
 */
public enum RecordRefusal {
    /** Filed under another name than its own (the map key is not the record's name). */
    MISFILED("misfiled"),
    /** No certificate or no signature, while this node holds the overlay CA. */
    UNSIGNED("unsigned"),
    /** The certificate does not chain to this node's CA, is expired or not yet valid, malformed, or no node certificate. */
    BAD_CERTIFICATE("bad_certificate"),
    /** The record's name, overlay address or groups differ from its certificate's. */
    IDENTITY_MISMATCH("identity_mismatch"),
    /** The signature does not verify with the certificate's key: a field was changed after signing. */
    BAD_SIGNATURE("bad_signature"),
    /** The record names a cluster member whose TLS certificate names another node. */
    WRONG_MEMBER("wrong_member"),
    /** Valid, but {@code ipop.discovery.max-cluster-peers} peers are followed already. */
    OVER_CAP("over_cap");

    private final String counter;

    RecordRefusal(String counter) {
        this.counter = counter;
    }

    /** The counter's name in JSON and the metric's {@code reason} label. */
    public String counter() {
        return counter;
    }
}
