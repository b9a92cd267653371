package io.ipop.peer;

import io.ipop.wire.ControlMessage.Close;
import java.util.Optional;
import org.slf4j.event.Level;

/**
 * The {@link LinkMachine}'s handling of a reload (docs/protocol.md, "Reload") and of the peer's
 * certificate checked again: a linked session asks the policy again and sets the link up again only if
 * its decision flipped, else re-announces it until the peer answers ({@link Announcement}); a certificate
 * that no longer stands closes the link. Part of the machine, kept apart for size; sans-IO like it.
 */
final class LinkReload {
    private final LinkMachine m;

    LinkReload(LinkMachine machine) {
        this.m = machine;
    }

    /** A reload: new context; a linked session asks the policy again (answer: a Decided event, after reload). */
    void onReconfigure(LinkEvent.Reconfigure r) {
        m.ctx = r.context().sendingTo(m.out);
        if (r.endpoint() != null) {
            m.probes.reconfigure(r.endpoint());
        }
        m.out.accept(new LinkEffect.StartTimer(LinkMachine.Timer.REVERIFY, m.ctx.security().reverifyInterval(), true));
        Optional<String> distrust = distrusted();
        if (distrust.isPresent()) {
            untrusted(distrust.get());
            return;
        }
        if (m.isLinked() && m.setup.decided()) {
            m.out.accept(new LinkEffect.AskPolicy(m.setup.identity(), LinkMachine.AfterReload.INSTANCE));
        } else {
            m.setup.forgetDecision();                   // seeking: the next hello is decided under the new settings
        }
    }

    /** This side's decision after a reload: set the link up again only if it flipped. */
    void onRedecided(SecurityDecision now) {
        LinkSetup setup = m.setup;
        if (!m.isLinked() || setup.local() == null) {
            return;                                     // the link went down meanwhile: its next setup decides anew
        }
        if (!setup.flips(now)) {
            setup.redecided(now);
            if (m.link.snapshot().state() == LinkState.UP) {
                m.publisher.security(setup.agreed());
            }
            // our groups or certificate may have changed: the peer re-checks a con_req that differs
            // from what it knows, so its own decision about us follows the reload too (until it answers)
            m.announcement.start();
            onAnnounceTick();
            return;
        }
        String why = "security decision changed by reload (" + setup.local().reason() + " -> " + now.reason()
                + "): setting the link up again";
        m.out.log(Level.INFO, "link to {}: {}", m.peer, why);
        m.backToSeeking(why, now);
    }

    /** (Re-)sends the reload's con_req with the link's backoff while the peer has not answered. */
    void onAnnounceTick() {
        if (!m.isLinked() || !m.announcement.active()) {
            return;
        }
        m.sendConReq();
        int attempt = m.announcement.sent(m.probes.lastRound());
        m.out.accept(new LinkEffect.StartTimer(LinkMachine.Timer.ANNOUNCE, m.ctx.link().backoff(attempt), false));
    }

    /** Why a linked peer's certificate no longer stands (revoked, expired, other CA), or empty. */
    Optional<String> distrusted() {
        if (!m.isLinked() || m.setup.identity().isEmpty()) {
            return Optional.empty();
        }
        return m.ctx.check().recheck(m.setup.identity().get());
    }

    /** The peer's certificate no longer stands: the link goes down at once, and the peer is told why. */
    void untrusted(String why) {
        m.link.setups().linkDistrusted();
        m.ctx.channel().send(new Close(m.ctx.self().name(), why), m.endpoint);
        m.out.log(Level.WARN, "link to {} closed: {}", m.peer, why);
        m.backToSeeking(why, null);
    }
}
