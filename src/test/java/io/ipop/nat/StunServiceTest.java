package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.counters.DropCounters;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.Datagram;
import io.ipop.dataplane.InboundFrame;
import io.ipop.dataplane.InboundPath;
import io.ipop.frame.MacAddress;
import io.ipop.route.RouteTable;
import io.ipop.wire.ControlCodec;
import io.ipop.underlay.Endpoint;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Two {@link StunService}s wired back to back: one answers, the other learns its reflexive endpoint. */
class StunServiceTest {
    private static final Endpoint SERVER = Endpoint.parse("198.51.100.10:3478");
    private static final Endpoint CLIENT_AS_SEEN = Endpoint.parse("198.51.100.2:40001");

    private record Sent(byte[] datagram, Endpoint to) {
    }

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<Sent> serverSent = new ArrayList<>();
    private final DataplaneCounters serverCounters = new DataplaneCounters();
    private final DropCounters clientCounters = new DropCounters();
    private final StunService server = new StunService(new StunClient(List.of()), (b, to) -> serverSent.add(new Sent(b, to)),
            serverCounters, 3, nanos::get, Clock.systemUTC());
    private final StunClient client = new StunClient(List.of(SERVER));
    private final StunService clientSide = new StunService(client, (b, to) -> { }, clientCounters, 3, nanos::get,
            Clock.systemUTC());

    @Test
    void theClientLearnsTheAddressTheServerSawItFrom() {
        assertTrue(server.offer(CLIENT_AS_SEEN, client.request(SERVER, nanos.get())));
        assertEquals(1, serverSent.size());
        assertEquals(CLIENT_AS_SEEN, serverSent.get(0).to());
        assertEquals(Optional.empty(), client.reflexive());
        assertTrue(clientSide.offer(SERVER, serverSent.get(0).datagram()));
        assertEquals(Optional.of(CLIENT_AS_SEEN), client.reflexive());
        assertEquals(1, client.views().get(0).answers());
        assertEquals(1, server.answered());
    }

    /** The hard side of birthday probing (docs/nat.md) knows itself: two servers, two ports of one address. */
    @Test
    void twoServersThatSeeTheNodeAtDifferentPortsMakeItSymmetric() {
        Endpoint other = Endpoint.parse("198.51.100.20:3478");
        StunClient two = new StunClient(List.of(SERVER, other));
        StunService twoSide = new StunService(two, (b, to) -> { }, clientCounters, 3, nanos::get, Clock.systemUTC());
        answer(two, twoSide, SERVER, CLIENT_AS_SEEN);
        assertFalse(two.symmetric(), "one answer tells nothing");
        answer(two, twoSide, other, CLIENT_AS_SEEN);
        assertFalse(two.symmetric(), "the same port from both: port-preserving");
        answer(two, twoSide, other, Endpoint.parse("198.51.100.2:40777"));
        assertTrue(two.symmetric(), "another port per destination");
        answer(two, twoSide, other, Endpoint.parse("203.0.113.7:40001"));
        assertFalse(two.symmetric(), "another address altogether is no proof of a symmetric NAT");
    }

    private void answer(StunClient c, StunService side, Endpoint server, Endpoint seenAs) {
        serverSent.clear();
        nanos.addAndGet(1_000_000_000L);
        this.server.offer(seenAs, c.request(server, nanos.get()));
        assertTrue(side.offer(server, serverSent.get(0).datagram()));
    }

    @Test
    void aResponseFromAnotherAddressOrToNoRequestIsNotBelieved() {
        byte[] request = client.request(SERVER, nanos.get());
        server.offer(CLIENT_AS_SEEN, request);
        byte[] response = serverSent.get(0).datagram();
        clientSide.offer(Endpoint.parse("203.0.113.9:3478"), response);  // right transaction, wrong server
        clientSide.offer(SERVER, StunMessage.bindingSuccess(new byte[12], CLIENT_AS_SEEN));  // no such transaction
        assertEquals(2, clientCounters.drops(DataDrop.STUN_UNEXPECTED));
        assertEquals(Optional.empty(), client.reflexive());
        clientSide.offer(SERVER, response);
        clientSide.offer(SERVER, response);                                 // a duplicate: already answered
        assertEquals(Optional.of(CLIENT_AS_SEEN), client.reflexive());
        assertEquals(3, clientCounters.drops(DataDrop.STUN_UNEXPECTED));
    }

    @Test
    void answersAreRateLimitedAndTheExcessCounted() {
        for (int i = 0; i < 5; i++) {
            server.offer(CLIENT_AS_SEEN, StunMessage.bindingRequest(new byte[12]));
        }
        assertEquals(3, serverSent.size());
        assertEquals(2, serverCounters.drops(DataDrop.STUN_OVER_BUDGET));
        nanos.addAndGet(1_000_000_000L);
        server.offer(CLIENT_AS_SEEN, StunMessage.bindingRequest(new byte[12]));
        assertEquals(4, serverSent.size());
    }

    @Test
    void malformedStunIsCountedAndOurFramesAreLeftAlone() {
        byte[] bad = StunMessage.bindingRequest(new byte[12]);
        bad[3] = 8;                                                   // says 8 bytes of attributes, has none
        assertTrue(server.offer(CLIENT_AS_SEEN, bad));
        assertEquals(1, serverCounters.drops(DataDrop.STUN_MALFORMED));
        assertFalse(server.offer(CLIENT_AS_SEEN, new byte[] {(byte) 0xA1, 1, 0, 0, 0, 0, 0, 0}));
        assertFalse(server.offer(CLIENT_AS_SEEN, new byte[] {0, 1, 0, 0}));
        assertTrue(serverSent.isEmpty());
    }

    @Test
    void theInboundPathHandsStunToTheServiceAndEverythingElseToTheFrameCheck() {
        InboundPath inbound = new InboundPath(() -> RouteTable.EMPTY, () -> io.ipop.firewall.Firewall.OPEN,
                MacAddress.parse("02:00:00:00:00:01"), new ControlCodec(), ControlSink.REFUSE, serverCounters, nanos::get, server);
        byte[] notStun = new byte[40];                                // first byte 0, but no magic cookie
        List<InboundFrame> out = inbound.process(List.of(
                new Datagram(CLIENT_AS_SEEN, StunMessage.bindingRequest(new byte[12])),
                new Datagram(CLIENT_AS_SEEN, notStun)));
        assertTrue(out.isEmpty());
        assertEquals(1, server.answered());
        assertEquals(1, serverCounters.drops(DataDrop.UNKNOWN_TYPE));
    }

    @Test
    void pendingRequestsAreBounded() {
        byte[] first = client.request(SERVER, 0);
        for (int i = 1; i <= StunClient.MAX_PENDING; i++) {
            client.request(SERVER, i);
        }
        byte[] tid = new byte[12];
        System.arraycopy(first, 8, tid, 0, 12);
        // the oldest was forgotten to make room: its answer is not believed any more
        assertFalse(client.answered(SERVER, new StunMessage(StunMessage.BINDING_SUCCESS, tid, CLIENT_AS_SEEN),
                java.time.Instant.now()));
    }
}
