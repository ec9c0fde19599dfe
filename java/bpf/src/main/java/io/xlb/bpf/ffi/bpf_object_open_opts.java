package io.xlb.bpf.ffi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;

/** struct bpf_object_open_opts, libbpf 1.1 (libbpf.h). */
@SuppressWarnings("unused")
public final class bpf_object_open_opts {
    private bpf_object_open_opts() {}

    public static final StructLayout LAYOUT = structLayout(
            JAVA_LONG.withName("sz"),
            ADDRESS.withName("object_name"),
            JAVA_BYTE.withName("relaxed_maps"),
            paddingLayout(7),
            ADDRESS.withName("pin_root_path"),
            paddingLayout(8), // __u32 :32 (the removed attach_prog_fd), then alignment
            ADDRESS.withName("kconfig"),
            ADDRESS.withName("btf_custom_path"),
            ADDRESS.withName("kernel_log_buf"),
            JAVA_LONG.withName("kernel_log_size"),
            JAVA_INT.withName("kernel_log_level"),
            paddingLayout(4)
    ).withName("bpf_object_open_opts");
}
