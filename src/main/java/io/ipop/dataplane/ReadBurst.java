package io.ipop.dataplane;

import java.util.List;

/**
 * What one read stage call returned: a burst of packets, and whether the read had to wait for the first
 * (nothing was waiting: the path was idle, so this burst is a candidate to skip the queue).
 */
record ReadBurst<T>(List<T> packets, boolean waited) {
}
