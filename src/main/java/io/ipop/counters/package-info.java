/**
 * The drop counters, below both planes: {@link io.ipop.counters.DataDrop} (the packet path),
 * {@link io.ipop.counters.SetupDrop} (link setup and signaling) and {@link io.ipop.counters.DropCounters},
 * the lock-free registry both planes count into and management reads. No Pekko, no I/O.
 */
package io.ipop.counters;
