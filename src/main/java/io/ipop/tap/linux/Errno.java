package io.ipop.tap.linux;

import jnr.ffi.LastError;

/** A libc error number; {@link #toString()} is the C library's text for it, e.g. "No such file or directory". */
record Errno(int code) {

    /** The errno saved by the calling thread's most recent {@code LibC} call. */
    static Errno last() {
        return new Errno(LastError.getLastError(LibC.RUNTIME));
    }

    /** The call may simply be retried: interrupted by a signal, or nothing to do yet. */
    boolean isTransient() {
        return code == LibC.EINTR || code == LibC.EAGAIN;
    }

    boolean isPermissionDenied() {
        return code == LibC.EPERM || code == LibC.EACCES;
    }

    @Override
    public String toString() {
        String text = LibC.INSTANCE.strerror(code);
        return text == null || text.isEmpty() ? "errno " + code : text;
    }
}
