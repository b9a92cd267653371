package io.ipop.peer;

import io.ipop.dataplane.ControlSink;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hands what the inbound path decodes for the control plane to the {@link PeerDirectory}, after a
 * lock-free check against {@link Links} so traffic for unknown peers never reaches an actor mailbox.
 */
public final class DirectoryControlSink implements ControlSink {
    private final Links links;
    private final ActorRef<PeerDirectory.Command> directory;

    public DirectoryControlSink(Links links, ActorRef<PeerDirectory.Command> directory) {
        this.links = links;
        this.directory = directory;
    }

    @Override
    public boolean control(Endpoint from, ControlMessage message) {
        if (!links.knows(message.node())) {
            return false;
        }
        directory.tell(new PeerDirectory.ControlReceived(from, message));
        return true;
    }

    @Override
    public boolean dtls(Endpoint from, int localIndex, byte[] record) {
        if (links.byIndex(localIndex) == null) {
            return false;
        }
        directory.tell(new PeerDirectory.DtlsReceived(from, localIndex, record));
        return true;
    }
}
