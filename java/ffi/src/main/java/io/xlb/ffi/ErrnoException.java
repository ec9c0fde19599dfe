package io.xlb.ffi;

import java.lang.foreign.MemorySegment;

/**
 * A failed native call, in one format for every module: the C function, the errno (symbolic and
 * described) and what it was asked to do, e.g. {@code bpf_obj_get: ENOENT: No such file or
 * directory (/sys/fs/bpf/xlb/vips)}. java/bpf and java/sys throw their own subclasses.
 */
public class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno, String context) {
        this(call, errno, context, null);
    }

    /** With a long detail on the lines after the message, such as the verifier's log. */
    protected ErrnoException(String call, int errno, String context, String detail) {
        super(call + ": " + describe(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")")
                + (detail == null ? "" : "\n" + detail));
        this.call = call;
        this.errno = errno;
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
