/**
 * The management API: its binding behind the bearer token ({@link io.ipop.management.ManagementServer}),
 * the {@code /overlay/*} routes and reload, {@code /metrics}, the topology page at {@code /}, and the
 * readiness check, served with Pekko Management's own routes.
 */
package io.ipop.management;
