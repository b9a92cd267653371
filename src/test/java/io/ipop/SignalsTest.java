package io.ipop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading whether a signal is ignored from /proc/PID/status: a node started under nohup cannot reload on SIGHUP. */
class SignalsTest {
    private static final String STATUS = "Name:\tjava\nSigQ:\t0/95846\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
            + "SigBlk:\t0000000000000000\nSigIgn:\t%s\nSigCgt:\t0000000000000000\n";

    @Test
    void sigHupIgnoredUnderNohupIsSeenAndOtherMasksAreNot() {
        assertTrue(Signals.ignored(STATUS.formatted("0000000080000001"), 1), "nohup: SIGHUP (bit 0) ignored");
        assertFalse(Signals.ignored(STATUS.formatted("0000000080000000"), 1), "only bit 31 set");
        assertTrue(Signals.ignored(STATUS.formatted("0000000000000002"), 2), "SIGINT (bit 1) ignored");
        assertFalse(Signals.ignored(STATUS.formatted("0000000000000002"), 1));
        assertFalse(Signals.ignored("Name:\tjava\n", 1), "no mask: not ignored");
    }
}
