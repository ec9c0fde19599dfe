package io.xlb.bpf.ffi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;

/** struct btf_member (linux/btf.h), which follows a struct or union btf_type. */
@SuppressWarnings("unused")
public final class btf_member {
    private btf_member() {}

    public static final StructLayout LAYOUT = structLayout(
            JAVA_INT.withName("name_off"),
            JAVA_INT.withName("type"),
            JAVA_INT.withName("offset")
    ).withName("btf_member");
}
