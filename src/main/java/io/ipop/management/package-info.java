/** The management API: the {@code /overlay/*} routes and the readiness check, served by Pekko Management. */
package io.ipop.management;
