package io.xlb.bpf;

/**
 * What BPF_PROG_TEST_RUN reported: the program's return code (an XDP action for XDP programs),
 * the packet as the last run left it, and the kernel-measured average duration per run in ns.
 */
public record TestRunResult(int retval, byte[] packet, int durationNs) {
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    public static final int XDP_REDIRECT = 4;
}
