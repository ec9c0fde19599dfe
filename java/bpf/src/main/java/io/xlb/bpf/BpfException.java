package io.xlb.bpf;

import io.xlb.bpf.ffi.LibC;
import java.lang.foreign.MemorySegment;

/**
 * A failed libbpf or kernel call: names the C function, the errno (symbolic and described), and
 * what it was asked to do. The one exception type java/bpf throws for native failures.
 */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public BpfException(String call, int errno, String context) {
        super(call + ": " + describe(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")"));
        this.call = call;
        this.errno = errno;
    }

    private BpfException(String call, int errno, String context, String detail) {
        super(call + ": " + describe(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")")
                + "\n" + detail);
        this.call = call;
        this.errno = errno;
    }

    /** Same failure with a long detail appended, such as the verifier's log. */
    public static BpfException withDetail(String call, int errno, String context, String detail) {
        return new BpfException(call, errno, context, detail);
    }

    /** The C function that failed, e.g. {@code bpf_map_update_elem}. */
    public String call() {
        return call;
    }

    /** The positive errno value, e.g. 2 for ENOENT. */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return name(errno);
    }

    /** "ENOENT: No such file or directory". */
    public static String describe(int errno) {
        return name(errno) + ": " + description(errno);
    }

    static String name(int errno) {
        try {
            String s = LibC.string((MemorySegment) LibC.strerrorname_np.invokeExact(errno));
            return s == null ? "errno " + errno : s;
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static String description(int errno) {
        try {
            String s = LibC.string((MemorySegment) LibC.strerrordesc_np.invokeExact(errno));
            return s == null ? "Unknown error " + errno : s;
        } catch (Throwable t) {
            return "Unknown error " + errno;
        }
    }
}
