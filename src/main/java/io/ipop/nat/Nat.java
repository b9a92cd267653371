package io.ipop.nat;

import java.util.Optional;

/**
 * What NAT traversal exposes to the management API: STUN (reflexive endpoint, answers), the relayed
 * paths this node uses, on a relay the pairs it relays for, and the link setup that went through
 * rendezvous nodes. Thread-safe to read.
 */
public record Nat(StunService stun, RelayPaths paths, Optional<RelayServer> relay, InboundGate inbound,
                  SignalCounters signaling) {
}
