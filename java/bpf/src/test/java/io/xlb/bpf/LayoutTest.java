package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.ffi.bpf_map_batch_opts;
import io.xlb.bpf.ffi.bpf_map_create_opts;
import io.xlb.bpf.ffi.bpf_map_info;
import io.xlb.bpf.ffi.bpf_object_open_opts;
import io.xlb.bpf.ffi.bpf_prog_info;
import io.xlb.bpf.ffi.bpf_test_run_opts;
import io.xlb.bpf.ffi.bpf_xdp_attach_opts;
import io.xlb.bpf.ffi.bpf_xdp_query_opts;
import io.xlb.bpf.ffi.btf_member;
import io.xlb.bpf.ffi.btf_type;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every hand-written layout against the C it mirrors, read from BTF: libbpf's option structs
 * (through bpf/test/libbpf_abi.c), the kernel's uapi structs (vmlinux), the probe's own structs.
 * Parsing BTF needs no privilege.
 */
class LayoutTest {
    @Test
    void libbpfOptionStructsMatchTheHeaders() {
        try (Btf btf = Btf.parse(ProbeAbi.object("libbpf_abi"))) {
            for (StructLayout l : List.of(bpf_object_open_opts.LAYOUT, bpf_map_create_opts.LAYOUT,
                    bpf_test_run_opts.LAYOUT, bpf_xdp_attach_opts.LAYOUT, bpf_xdp_query_opts.LAYOUT,
                    bpf_map_batch_opts.LAYOUT)) {
                btf.requireStruct(l.name().orElseThrow()).check(l, true);
            }
        }
    }

    @Test
    void kernelStructsMatchVmlinux() {
        try (Btf btf = Btf.parse(Btf.VMLINUX)) {
            // The kernel appends to these; xlb reads a checked prefix.
            btf.requireStruct("bpf_map_info").check(bpf_map_info.LAYOUT, false);
            btf.requireStruct("bpf_prog_info").check(bpf_prog_info.LAYOUT, false);
            BtfStruct type = btf.requireStruct("btf_type");
            type.check(btf_type.LAYOUT, false);
            assertEquals(type.size(), btf_type.LAYOUT.byteSize());
            assertEquals(type.member("type").bitOffset(), type.member("size").bitOffset(), "size/type union");
            btf.requireStruct("btf_member").check(btf_member.LAYOUT, true);
        }
    }

    @Test
    void probeStructsMatchTheObject() {
        try (Btf btf = Btf.parse(ProbeAbi.object("probe"))) {
            btf.requireStruct("probe_key").check(ProbeAbi.Key.LAYOUT, true);
            btf.requireStruct("probe_value").check(ProbeAbi.Value.LAYOUT, true);
            btf.requireStruct("probe_counter").check(ProbeAbi.Counter.LAYOUT, true);
        }
    }

    @Test
    void aWrongLayoutIsReportedMemberByMember() {
        StructLayout wrong = MemoryLayout.structLayout(
                ValueLayout.JAVA_SHORT.withName("port"), MemoryLayout.paddingLayout(2),
                ValueLayout.JAVA_INT.withName("addr")).withName("probe_key");
        try (Btf btf = Btf.parse(ProbeAbi.object("probe"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> btf.requireStruct("probe_key").check(wrong, true));
            assertTrue(e.getMessage().contains("probe_key.port: Java offset 0, C offset 4.0"), e.getMessage());
            assertTrue(e.getMessage().contains("probe_key.proto: missing from the Java layout"), e.getMessage());
        }
    }

    @Test
    void parsingAMissingFileNamesErrno() {
        BpfException e = assertThrows(BpfException.class, () -> Btf.parse(java.nio.file.Path.of("/nonexistent/x.o")));
        assertEquals("btf__parse", e.call());
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
    }
}
