package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Hello;
import java.util.Optional;

/**
 * The {@link LinkMachine}'s handling of control messages while it seeks the peer: a hello is checked
 * ({@link HelloCheck}) and, if believed, the policy is asked; a copy first seen from another address only
 * proves a path; an answer to nothing asked is counted. Part of the machine (its state is the machine's),
 * kept apart for size; sans-IO like it.
 */
final class SeekingControl {
    private final LinkMachine m;

    SeekingControl(LinkMachine machine) {
        this.m = machine;
    }

    /** A control message while seeking: a hello to check and decide, a refusal, or an answer to nothing. */
    void onControlWhileSeeking(LinkEvent.Control c) {
        if (c.message() instanceof ConResp resp && !m.probes.sent(resp.echo())) {
            m.ctx.counters().drop(SetupDrop.UNEXPECTED_RESPONSE);  // an answer to nothing we asked (stale or forged)
        } else if (c.message() instanceof Hello hello) {
            verifyThenDecide(c.from(), hello);
        } else if (c.message() instanceof ConRej rej) {
            m.refusals.refusedByPeer(m.ctx, rej, c.from(), m.endpoint);
        }
    }

    /** Checks a hello; if believable, asks the policy for this node's decision (answer: a Decided event). */
    private void verifyThenDecide(Endpoint from, Hello hello) {
        HelloCheck.Verdict v = m.ctx.check().check(hello, from);
        if (v instanceof HelloCheck.Rejected r) {
            m.refusals.reject(m.ctx, from, r);
        } else if (((HelloCheck.Accepted) v).repeat()) {
            onRepeat(from, hello, ((HelloCheck.Accepted) v).identity());
        } else {
            m.askPolicy(from, hello, ((HelloCheck.Accepted) v).identity());
        }
    }

    /**
     * While seeking, a verified hello whose first copy came from another address: only a path proof. An
     * answer to our request sent here proves this address (the first copy may have been an attacker's, sent
     * from its own address); anything else earns it a challenge.
     */
    private void onRepeat(Endpoint from, Hello hello, Optional<PeerIdentity> identity) {
        if (hello instanceof ConResp resp && m.probes.validates(resp, from)) {
            m.askPolicy(from, hello, identity);         // decided as the first copy was; this time from a proven address
        } else {
            m.ctx.counters().drop(SetupDrop.HELLO_REPLAY);   // seen from another address: only its address may prove itself
            m.probes.challenge(m.ctx, from, m.setup.stated(), m.now);
        }
    }

    /** True if the hello's source may be the link's endpoint: trusted, or it answers a request sent there. */
    boolean proves(Endpoint from, Hello hello) {
        boolean answered = hello instanceof ConResp resp && m.probes.validates(resp, from);
        if (answered || m.probes.trusted(from)) {
            m.probes.proven(from);
            return true;
        }
        return false;
    }
}
