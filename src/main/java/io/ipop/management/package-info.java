/**
 * The management API: its binding ({@link io.ipop.management.ManagementServer}, HTTPS off loopback) behind
 * one gate ({@link io.ipop.management.ApiGuard}: Host, cross-site requests, the bearer token),
 * the {@code /overlay/*} routes and reload, {@code /metrics}, the topology page at {@code /}, and the
 * readiness check, served with Pekko Management's own routes.
 */
package io.ipop.management;
