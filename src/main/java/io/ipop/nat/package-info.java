/**
 * NAT traversal (docs/nat.md): the STUN codec, the Binding responder every node runs on its underlay
 * port, and the client that learns this node's server-reflexive endpoint from the configured STUN servers.
 */
package io.ipop.nat;
