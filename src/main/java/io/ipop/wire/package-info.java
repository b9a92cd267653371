/**
 * The ipop-node wire format: the 8-byte frame header, frame types and the JSON control messages.
 * Pure: no Pekko, no I/O. See docs/protocol.md.
 */
package io.ipop.wire;
