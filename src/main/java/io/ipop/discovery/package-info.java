/**
 * Where peers come from: the static list in the config file, and the Pekko Cluster directory of peer records
 * (whose TCP port runs mutually authenticated TLS through {@link io.ipop.discovery.ClusterTlsEngineProvider} when
 * the node has a certificate). Records are signed by their node and followed only when {@code
 * RecordCheck} accepts them: a member can write only its own.
 */
package io.ipop.discovery;
