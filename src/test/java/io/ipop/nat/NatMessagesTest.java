package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.AnnouncedPeer;
import io.ipop.wire.ControlMessage.Peers;
import io.ipop.wire.ControlMessage.RelayOk;
import io.ipop.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits of the NAT messages: what a rendezvous may announce, and that it fits in one control frame. */
class NatMessagesTest {
    private final ControlCodec codec = new ControlCodec();

    @Test
    void candidatesMustBeIpv4EndpointsAndFew() {
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "10.77.0.3/24", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "10.77.0.3/24", List.of("example.org:5800")));
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "10.77.0.3/24", List.of("198.51.100.3:0")));
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "10.77.0.3/24", List.of("198.51.100.3:65536")));
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "10.77.0.3/24",
                List.of("1.1.1.1:1", "1.1.1.1:2", "1.1.1.1:3", "1.1.1.1:4", "1.1.1.1:5")));
        assertThrows(IllegalArgumentException.class, () -> new AnnouncedPeer("b", "no-address", List.of("198.51.100.3:5800")));
        assertThrows(IllegalArgumentException.class, () -> new RelayOk("rv", "b", 0));
    }

    @Test
    void aFullAnnouncementWithLongestNamesFitsOneControlFrame() throws WireException {
        List<AnnouncedPeer> peers = new ArrayList<>();
        for (int i = 0; i < Peers.MAX_PEERS; i++) {
            String name = ("n" + i + "-").repeat(30).substring(0, 64);
            peers.add(new AnnouncedPeer(name, "255.255.255.254/30", List.of("255.255.255.255:65535",
                    "255.255.255.254:65535", "255.255.255.253:65535", "255.255.255.252:65535")));
        }
        byte[] frame = codec.encode(new Peers("r".repeat(64), true, peers));
        assertTrue(frame.length <= ControlCodec.MAX_CONTROL_FRAME, frame.length + " bytes");
        codec.decode(frame, 0, frame.length);
    }

    @Test
    void tooManyPeersInOneAnnouncementIsMalformed() {
        StringBuilder json = new StringBuilder("{\"type\":\"peers\",\"node\":\"rv\",\"relay\":false,\"peers\":[");
        for (int i = 0; i <= Peers.MAX_PEERS; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"p").append(i)
                    .append("\",\"ip\":\"10.77.0.9/24\",\"cands\":[\"198.51.100.9:5800\"]}");
        }
        json.append("]}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[8 + body.length];
        io.ipop.wire.FrameHeader.write(frame, 0, io.ipop.wire.FrameType.CONTROL, 0);
        System.arraycopy(body, 0, frame, 8, body.length);
        assertThrows(WireException.class, () -> codec.decode(frame, 0, frame.length));
    }
}
