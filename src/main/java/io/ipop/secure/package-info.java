/**
 * Identity and crypto of secure links: the overlay CA, certificate checks, DTLS session keys, AEAD framing
 * of data, replay protection, and the TLS context of the cluster port ({@link io.ipop.secure.NodeTls}). No Pekko.
 */
package io.ipop.secure;
