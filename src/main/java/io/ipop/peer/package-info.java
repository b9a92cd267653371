/**
 * The control plane of peer links: {@link io.ipop.peer.PeerDirectory} and one
 * {@link io.ipop.peer.PeerSession} actor per link, with the snapshots they publish for the data plane
 * and the management API.
 */
package io.ipop.peer;
