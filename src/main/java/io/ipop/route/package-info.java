/** The L2 switch state: the route table of up links (immutable snapshots) and the learned MAC table. No Pekko. */
package io.ipop.route;
