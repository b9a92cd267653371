/**
 * The group firewall: inbound rules on the peer's certified name and groups, and the per-link flow table
 * that lets replies to this node's own traffic back in. Pure: no Pekko, no I/O. Runs after the identity
 * check of {@code dataplane.SourceCheck}, so every frame it judges is attributable to its link's peer.
 */
package io.ipop.firewall;
