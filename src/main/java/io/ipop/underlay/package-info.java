/** The outside: the UDP socket the node speaks through, its endpoint type and an in-memory network for tests. */
package io.ipop.underlay;
