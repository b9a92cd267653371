package io.ipop.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The JSON control messages carried in {@link FrameType#CONTROL} frames. The {@code type} property
 * names the message; every message names its sender in {@code node}. Field limits are checked when a
 * message is built, so a decoded message is always well-formed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlMessage.ConReq.class, name = "con_req"),
    @JsonSubTypes.Type(value = ControlMessage.ConResp.class, name = "con_resp"),
    @JsonSubTypes.Type(value = ControlMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ControlMessage.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = ControlMessage.Close.class, name = "close")
})
public sealed interface ControlMessage {

    /** Protocol version spoken by this build; a {@code con_req} with another {@code v} is refused. */
    int PROTOCOL_VERSION = 1;

    /** Sender's node name. */
    String node();

    /** The link-setup part shared by {@code con_req} and {@code con_resp}. */
    sealed interface Hello extends ControlMessage {
        int v();

        /** Random id of the sender's process; a new value means the peer restarted. */
        String instance();

        /** Sender's overlay address with prefix, e.g. {@code 10.77.0.2/24}. */
        String ip();

        /** Sender's TAP MAC address. */
        String mac();

        List<String> groups();

        String nonce();

        /** Receiver index the sender wants in the header of every frame sent to it on this link. */
        int index();

        /** Sender's wall clock, milliseconds since the epoch. */
        long ts();
    }

    /** Link request, sent repeatedly (with backoff) until answered. */
    record ConReq(int v, String node, String instance, String ip, String mac, List<String> groups,
                  String nonce, int index, long ts) implements Hello {
        public ConReq {
            groups = Limits.hello(node, instance, ip, mac, groups, nonce, index);
        }
    }

    /** Answer to a {@code con_req}; {@code echo} repeats the request's nonce. */
    record ConResp(int v, String node, String instance, String ip, String mac, List<String> groups,
                   String nonce, int index, long ts, String echo) implements Hello {
        public ConResp {
            groups = Limits.hello(node, instance, ip, mac, groups, nonce, index);
            Limits.token("echo", echo);
        }
    }

    /** Keepalive; answered by a {@link Pong} with the same {@code seq} and {@code ts}. */
    record Ping(String node, long seq, long ts) implements ControlMessage {
        public Ping {
            Limits.token("node", node);
        }
    }

    record Pong(String node, long seq, long ts) implements ControlMessage {
        public Pong {
            Limits.token("node", node);
        }
    }

    /** The sender is closing the link (shutting down); the receiver marks it lost at once. */
    record Close(String node, String reason) implements ControlMessage {
        public Close {
            Limits.token("node", node);
            if (reason == null || reason.length() > 200) {
                throw new IllegalArgumentException("close reason missing or longer than 200 characters");
            }
        }
    }
}
