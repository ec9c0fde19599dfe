package io.xlb.sys;

import io.xlb.ffi.ErrnoException;

/** A failed libc call in java/sys: names the function, errno and what it was asked to do. */
public final class SysException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public SysException(String call, int errno, String context) {
        super(call, errno, context);
    }
}
