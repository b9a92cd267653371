/**
 * Reading the config: {@link io.ipop.config.ConfigReader} turns every failure into a
 * {@link io.ipop.config.ConfigProblem} naming the full key path (exit 2). The floor below every subsystem:
 * each subsystem's settings record lives in its own package and reads its subtree with these; only
 * {@code node.NodeSettings} composes them. No Pekko, no I/O.
 */
package io.ipop.config;
