package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Btf;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.Structs;
import java.lang.foreign.StructLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every Java mirror of bpf/include/xlb_abi.h against the BTF of the director the jar ships. */
class AbiLayoutTest {
    static Path director() throws URISyntaxException {
        return Path.of(Dataplane.class.getResource(Dataplane.OBJECT).toURI());
    }

    @Test
    void everyStructMatchesTheCompiledDirector() throws Exception {
        try (Btf btf = Btf.parse(director())) {
            for (StructLayout l : Structs.ALL) {
                btf.requireStruct(l.name().orElseThrow()).check(l, true);
            }
        }
    }

    @Test
    void sizesAreWhatTheKernelIsToldAtLoad() throws Exception {
        try (Btf btf = Btf.parse(director())) {
            assertEquals(20, btf.requireStruct("vip_key").size());
            assertEquals(40, btf.requireStruct("flow_key").size());
            assertEquals(24, btf.requireStruct("conn").size());
            assertEquals(17, Reason.COUNT, "enum xlb_reason has XLB_R_MAX entries");
        }
    }
}
