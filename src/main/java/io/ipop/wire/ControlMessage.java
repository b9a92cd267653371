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
    @JsonSubTypes.Type(value = ControlMessage.ConRej.class, name = "con_rej"),
    @JsonSubTypes.Type(value = ControlMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ControlMessage.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = ControlMessage.Close.class, name = "close"),
    @JsonSubTypes.Type(value = ControlMessage.Peers.class, name = "peers"),
    @JsonSubTypes.Type(value = ControlMessage.RelayReq.class, name = "relay_req"),
    @JsonSubTypes.Type(value = ControlMessage.RelayOk.class, name = "relay_ok"),
    @JsonSubTypes.Type(value = ControlMessage.Fwd.class, name = "fwd")
})
public sealed interface ControlMessage {

    /** Protocol version spoken by this build; a {@code con_req} with another {@code v} is refused. */
    int PROTOCOL_VERSION = 1;

    /** Sender's node name. */
    String node();

    /** The sender as a {@link PeerId}: every message holds {@code node} to the same rule, so this never fails. */
    default PeerId sender() {
        return new PeerId(node());
    }

    /** True if {@code value} is a valid token: 1..64 of {@code A-Z a-z 0-9 . _ -} (names, instances, nonces, groups). */
    static boolean isToken(String value) {
        return Limits.isToken(value);
    }

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

        /**
         * The sender's security decision for this link ({@code true}: it requires DTLS), or {@code null}
         * in a {@code con_req} sent before the sender has heard the receiver's hello.
         */
        Boolean secure();

        /** Sender's certificate from the overlay CA, base64 DER; {@code null} for a node without one. */
        String cert();

        /** Base64 ECDSA signature by the certificate's key over {@code HelloSigning.canonical}; {@code null} without a cert. */
        String sig();

        /** The request's nonce in a {@code con_resp}; {@code null} in a {@code con_req}. */
        String echo();

        /**
         * The node name of the receiver this hello is for. Signed with the rest, so a captured hello
         * cannot be replayed to another node; {@code null} only in unsigned hellos of older builds.
         */
        String to();

        /**
         * The sender's candidate endpoints ({@code a.b.c.d:port}, host and server-reflexive; docs/nat.md),
         * signed with the rest; {@code null} from a node that has none to offer (or an older build).
         */
        List<String> cands();

        /** The same hello with a signature. */
        Hello withSig(String sig);
    }

    /**
     * Link request, sent repeatedly (with backoff) until answered. {@code birthday} (optional, signed): the sender,
     * behind a symmetric NAT, has just opened extra sockets toward the receiver's public endpoint; the receiver may
     * send a request to random ports of the sender's public address (docs/nat.md, "Birthday probing").
     */
    record ConReq(int v, String node, String instance, String ip, String mac, List<String> groups,
                  String nonce, int index, long ts, Boolean secure, String cert, String sig, String to,
                  List<String> cands, Boolean birthday)
            implements Hello {
        public ConReq {
            groups = Limits.hello(node, instance, ip, mac, groups, nonce, index, cert, sig);
            Limits.optionalToken("to", to);
            cands = cands == null ? null : Limits.endpoints("cands", cands);
            if (birthday != null && !birthday) {
                birthday = null;                        // only "true" means something; absent otherwise
            }
        }

        /** A request that asks for no birthday probing. */
        public ConReq(int v, String node, String instance, String ip, String mac, List<String> groups,
                      String nonce, int index, long ts, Boolean secure, String cert, String sig, String to,
                      List<String> cands) {
            this(v, node, instance, ip, mac, groups, nonce, index, ts, secure, cert, sig, to, cands, null);
        }

        /** True if the sender asks for birthday probing. */
        public boolean asksBirthday() {
            return Boolean.TRUE.equals(birthday);
        }

        /** A request without candidates. */
        public ConReq(int v, String node, String instance, String ip, String mac, List<String> groups,
                      String nonce, int index, long ts, Boolean secure, String cert, String sig, String to) {
            this(v, node, instance, ip, mac, groups, nonce, index, ts, secure, cert, sig, to, null);
        }

        /** A request that names no receiver. */
        public ConReq(int v, String node, String instance, String ip, String mac, List<String> groups,
                      String nonce, int index, long ts, Boolean secure, String cert, String sig) {
            this(v, node, instance, ip, mac, groups, nonce, index, ts, secure, cert, sig, null, null, null);
        }

        @Override
        public String echo() {
            return null;
        }

        @Override
        public ConReq withSig(String sig) {
            return new ConReq(v, node, instance, ip, mac, groups, nonce, index, ts, secure, cert, sig, to, cands, birthday);
        }
    }

    /** Answer to a {@code con_req}; {@code echo} repeats the request's nonce. */
    record ConResp(int v, String node, String instance, String ip, String mac, List<String> groups,
                   String nonce, int index, long ts, String echo, Boolean secure, String cert, String sig, String to,
                   List<String> cands)
            implements Hello {
        public ConResp {
            groups = Limits.hello(node, instance, ip, mac, groups, nonce, index, cert, sig);
            Limits.token("echo", echo);
            Limits.optionalToken("to", to);
            if (secure == null) {
                throw new IllegalArgumentException("secure missing (a con_resp always states its decision)");
            }
            cands = cands == null ? null : Limits.endpoints("cands", cands);
        }

        /** A response without candidates. */
        public ConResp(int v, String node, String instance, String ip, String mac, List<String> groups,
                       String nonce, int index, long ts, String echo, Boolean secure, String cert, String sig, String to) {
            this(v, node, instance, ip, mac, groups, nonce, index, ts, echo, secure, cert, sig, to, null);
        }

        /** A response that names no receiver. */
        public ConResp(int v, String node, String instance, String ip, String mac, List<String> groups,
                       String nonce, int index, long ts, String echo, Boolean secure, String cert, String sig) {
            this(v, node, instance, ip, mac, groups, nonce, index, ts, echo, secure, cert, sig, null, null);
        }

        @Override
        public ConResp withSig(String sig) {
            return new ConResp(v, node, instance, ip, mac, groups, nonce, index, ts, echo, secure, cert, sig, to, cands);
        }
    }

    /**
     * The sender refuses to link with the receiver, and says why (e.g. it requires a certificate the
     * receiver does not have). Unauthenticated: the receiver only shows the reason, it changes no state.
     */
    record ConRej(String node, String reason) implements ControlMessage {
        public ConRej {
            Limits.token("node", node);
            Limits.text("reason", reason);
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
            Limits.text("reason", reason);
        }
    }

    /** The NAT-traversal messages between a node and its rendezvous (docs/nat.md); handled by {@code nat.NatAgent}. */
    sealed interface NatMessage extends ControlMessage {
    }

    /**
     * A peer as a rendezvous announces it: its name, overlay address and the candidate endpoints it can
     * be probed at (the first is the endpoint the rendezvous hears it from, its server-reflexive one).
     */
    record AnnouncedPeer(String name, String ip, List<String> cands) {
        public AnnouncedPeer {
            Limits.token("name", name);
            if (ip == null) {
                throw new IllegalArgumentException("ip missing");
            }
            io.ipop.frame.OverlayAddress.parse(ip, true);
            cands = Limits.endpoints("cands", cands);
        }
    }

    /**
     * A rendezvous tells a linked node which other nodes it has links with; {@code relay}: it relays
     * for them. Unauthenticated: only a hint of whom to link with and where to probe; each link is then
     * set up with signed hellos end to end.
     */
    record Peers(String node, boolean relay, List<AnnouncedPeer> peers) implements NatMessage {
        /** Peers in one message: with the longest names and 4 candidates each, 16 fit one control frame. */
        public static final int MAX_PEERS = Limits.MAX_ANNOUNCED;

        public Peers {
            Limits.token("node", node);
            if (peers == null || peers.size() > MAX_PEERS) {
                throw new IllegalArgumentException("peers missing or more than " + MAX_PEERS);
            }
            peers = List.copyOf(peers);
        }
    }

    /** Asks a relay for a relayed path to {@code peer} (both must be linked with the relay). */
    record RelayReq(String node, String peer) implements NatMessage {
        public RelayReq {
            Limits.token("node", node);
            Limits.token("peer", peer);
        }
    }

    /**
     * The relay's answer, sent to both ends: datagrams sent to the relay's address (the one the receiver
     * links with the relay at) and {@code port} reach {@code peer}, unchanged.
     */
    record RelayOk(String node, String peer, int port) implements NatMessage {
        public RelayOk {
            Limits.token("node", node);
            Limits.token("peer", peer);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535");
            }
        }
    }

    /**
     * Link setup that a rendezvous passes between two nodes that cannot reach each other yet
     * (docs/nat.md). From a node to its rendezvous, {@code to} names the receiver; from the rendezvous
     * to the receiver, {@code from} names the original sender: exactly one of the two is set. {@code msg}
     * is the sender's own {@code con_req} or {@code con_resp}, passed on unchanged: signed by its sender
     * and naming its receiver, so the receiver checks it end to end, and the rendezvous cannot alter it.
     * The receiver takes it as signaling only (candidates to probe), never as the path of the link.
     */
    record Fwd(String node, String to, String from, Hello msg) implements NatMessage {
        public Fwd {
            Limits.token("node", node);
            if ((to == null) == (from == null)) {
                throw new IllegalArgumentException("exactly one of to (toward a rendezvous) and from (from it) must be set");
            }
            Limits.optionalToken("to", to);
            Limits.optionalToken("from", from);
            if (msg == null) {
                throw new IllegalArgumentException("msg missing");
            }
            String sender = to != null ? node : from;
            if (!msg.node().equals(sender)) {
                throw new IllegalArgumentException("msg is by \"" + msg.node() + "\", not by its sender \"" + sender + "\"");
            }
            if (to != null && msg.to() != null && !msg.to().equals(to)) {
                throw new IllegalArgumentException("msg is for \"" + msg.to() + "\", not for \"" + to + "\"");
            }
        }

        /** {@code node}'s hello {@code msg} for {@code to}, sent to a rendezvous. */
        public static Fwd toward(String node, String to, Hello msg) {
            return new Fwd(node, to, null, msg);
        }

        /** Rendezvous {@code node} passes on {@code from}'s hello {@code msg} to its receiver. */
        public static Fwd passedOn(String node, String from, Hello msg) {
            return new Fwd(node, null, from, msg);
        }
    }
}
