/** The inside: the TAP device interface, an in-memory device for tests; {@code tap.linux} holds the real one. */
package io.ipop.tap;
