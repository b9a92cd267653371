/**
 * The overlay's structure (docs/architecture.md, "Topology"): node positions on a ring of 64-bit ids, which
 * links a node keeps, and greedy next hops toward a node it has no link to. Plain Java, no Pekko, no I/O:
 * the node and the simulation (bench/simulate.sh) run the same classes.
 */
package io.ipop.topology;
