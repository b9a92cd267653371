/**
 * The data plane: the inbound and outbound stream graphs ({@link io.ipop.dataplane.Dataplane}) and the
 * per-packet logic they run ({@link io.ipop.dataplane.InboundPath}, {@link io.ipop.dataplane.OutboundPath}).
 */
package io.ipop.dataplane;
