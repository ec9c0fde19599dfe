package io.xlb.bpf.ffi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;

/** struct bpf_xdp_attach_opts, libbpf 1.1 (libbpf.h). */
@SuppressWarnings("unused")
public final class bpf_xdp_attach_opts {
    private bpf_xdp_attach_opts() {}

    public static final StructLayout LAYOUT = structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("old_prog_fd"),
            paddingLayout(4)
    ).withName("bpf_xdp_attach_opts");
}
