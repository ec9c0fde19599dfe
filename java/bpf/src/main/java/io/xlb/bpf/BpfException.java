package io.xlb.bpf;

import io.xlb.ffi.ErrnoException;

/** A failed libbpf or kernel call: the one exception type java/bpf throws for native failures. */
public final class BpfException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public BpfException(String call, int errno, String context) {
        super(call, errno, context);
    }

    private BpfException(String call, int errno, String context, String detail) {
        super(call, errno, context, detail);
    }

    /** Same failure with a long detail appended, such as the verifier's log. */
    public static BpfException withDetail(String call, int errno, String context, String detail) {
        return new BpfException(call, errno, context, detail);
    }
}
