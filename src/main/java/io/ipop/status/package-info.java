/** {@code ipop-node status}: reads a running node's management API and prints its links as a table. */
package io.ipop.status;
