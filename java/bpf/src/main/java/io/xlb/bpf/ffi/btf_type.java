package io.xlb.bpf.ffi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;

/** struct btf_type (linux/btf.h); size and type share a union at offset 8. */
@SuppressWarnings("unused")
public final class btf_type {
    private btf_type() {}

    public static final StructLayout LAYOUT = structLayout(
            JAVA_INT.withName("name_off"),
            JAVA_INT.withName("info"),
            JAVA_INT.withName("size")
    ).withName("btf_type");
}
