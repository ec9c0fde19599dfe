package io.xlb.ffi;


/** What the calling process may do. */
public final class Privileges {
    private Privileges() {}

    /** Effective uid 0: what BPF, XDP, namespaces and raw sockets need here. */
    public static boolean isRoot() {
        try {
            return (int) LibC.geteuid.invokeExact() == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("geteuid", t);
        }
    }
}
