/**
 * The simulation behind bench/simulate.sh (issue 20): N nodes' production {@code topology.Topology} and
 * {@code peer.LinkMachine}s in one JVM, on virtual time ({@link io.ipop.sim.Scheduler}), over an in-memory
 * network ({@link io.ipop.sim.SimNetwork}) and a directory oracle ({@link io.ipop.sim.Directory}). A bench tool
 * on the test classpath, not part of the jar; bench/README.md says what it models and what it leaves out.
 */
package io.ipop.sim;
