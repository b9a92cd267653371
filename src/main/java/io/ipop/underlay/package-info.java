/**
 * The outside: the UDP socket the node speaks through (and birthday probing's extra sockets beside it,
 * {@code BirthdaySockets}) and its endpoint type. The in-memory network for
 * tests ({@code MemoryNetwork}) lives in the test sources, not in the production jar.
 */
package io.ipop.underlay;
