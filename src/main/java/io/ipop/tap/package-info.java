/**
 * The inside: the TAP device interface; {@code tap.linux} holds the real one. The in-memory device for
 * tests ({@code MemoryTap}) lives in the test sources, not in the production jar.
 */
package io.ipop.tap;
