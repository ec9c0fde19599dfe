package io.xlb.bpf.ffi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;

/** struct bpf_xdp_query_opts, libbpf 1.1 (libbpf.h). */
@SuppressWarnings("unused")
public final class bpf_xdp_query_opts {
    private bpf_xdp_query_opts() {}

    public static final StructLayout LAYOUT = structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("prog_id"),
            JAVA_INT.withName("drv_prog_id"),
            JAVA_INT.withName("hw_prog_id"),
            JAVA_INT.withName("skb_prog_id"),
            JAVA_BYTE.withName("attach_mode"),
            paddingLayout(7)
    ).withName("bpf_xdp_query_opts");
}
