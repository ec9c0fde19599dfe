package io.xlb.sys;

import io.xlb.sys.ffi.LibC;

/** A failed libc call: names the function, errno and what it was asked to do. */
public final class SysException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SysException(String call, int errno, String context) {
        super(call + ": " + LibC.strerror(errno) + " (errno " + errno + ", " + context + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
