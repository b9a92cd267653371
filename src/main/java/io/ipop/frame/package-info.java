/** Ethernet and IPv4 value types and offsets for frames read from and written to the TAP device. Pure: no Pekko, no I/O. */
package io.ipop.frame;
