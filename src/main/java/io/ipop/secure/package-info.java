/**
 * Identity and crypto of secure links: the overlay CA, certificate checks, DTLS session keys, AEAD framing
 * of data, replay protection. No Pekko.
 */
package io.ipop.secure;
