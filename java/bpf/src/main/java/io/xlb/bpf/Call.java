package io.xlb.bpf;

import io.xlb.ffi.Native;
import java.lang.foreign.MemorySegment;

/** Turns a native call's outcome into a value or a {@link BpfException}. */
final class Call {
    private Call() {}

    /** For int-returning libbpf calls: negative means failure; errno from the call state, else -rc. */
    static int check(String call, int rc, MemorySegment state, String context) {
        if (rc >= 0) {
            return rc;
        }
        int errno = Native.errno(state);
        throw new BpfException(call, errno != 0 ? errno : -rc, context);
    }

    /** For pointer-returning calls: NULL means failure, errno tells why. */
    static MemorySegment check(String call, MemorySegment ptr, MemorySegment state, String context) {
        if (!ptr.equals(MemorySegment.NULL)) {
            return ptr;
        }
        int errno = Native.errno(state);
        throw new BpfException(call, errno != 0 ? errno : Errno.EINVAL, context);
    }

    /** Unchecked rethrow of what a MethodHandle invocation may throw. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
