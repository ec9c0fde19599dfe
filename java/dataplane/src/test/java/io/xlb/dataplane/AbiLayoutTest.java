package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Btf;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.Structs;
import java.lang.foreign.StructLayout;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.ServiceEntry;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        }
    }

    /** Each enum's constants as Java names them: the prefix dropped, the *_MAX count left out. */
    private static List<String> names(Btf btf, String enumName, String prefix) {
        return btf.enumValues(enumName).keySet().stream().filter(n -> !n.endsWith("_MAX") || n.equals("XLB_TABLE_MAX")
                || n.equals("XLB_LC_MAX") || n.equals("XLB_LBLCR_SET_MAX")).map(n -> n.substring(prefix.length())).toList();
    }

    @Test
    void everyEnumJavaMirrorsMatchesTheCompiledDirector() throws Exception {
        try (Btf btf = Btf.parse(director())) {
            assertEquals(names(btf, "xlb_reason", "XLB_R_"), Arrays.stream(Reason.values()).map(Enum::name).toList());
            assertEquals((long) Reason.COUNT, btf.enumValues("xlb_reason").get("XLB_R_MAX"));
            assertEquals(names(btf, "xlb_conn_state", "XLB_CONN_"), Arrays.stream(ConnState.values()).map(Enum::name).toList());
            for (ConnState s : ConnState.values()) {
                assertEquals((long) s.ordinal(), btf.enumValues("xlb_conn_state").get("XLB_CONN_" + s.name()), s.name());
                assertEquals((long) s.defaultTimeoutSeconds, btf.enumValues("xlb_default_timeout").get("XLB_TIMEOUT_" + s.name()),
                        "default timeout of " + s);
            }
            for (Method m : Method.values()) {
                assertEquals((long) m.code, btf.enumValues("xlb_method").get("XLB_FWD_" + m.name()), m.name());
            }
            assertEquals(names(btf, "xlb_method", "XLB_FWD_"), Arrays.stream(Method.values()).map(Enum::name).toList());
            Map<String, Long> sched = btf.enumValues("xlb_sched");
            assertEquals(Map.ofEntries(Map.entry("XLB_SCHED_NONE", (long) ServiceEntry.SCHED_NONE),
                    Map.entry("XLB_SCHED_RING", (long) ServiceEntry.SCHED_RING),
                    Map.entry("XLB_SCHED_SEQ", (long) ServiceEntry.SCHED_SEQ), Map.entry("XLB_SCHED_LC", (long) ServiceEntry.SCHED_LC),
                    Map.entry("XLB_SCHED_WLC", (long) ServiceEntry.SCHED_WLC), Map.entry("XLB_SCHED_SED", (long) ServiceEntry.SCHED_SED),
                    Map.entry("XLB_SCHED_NQ", (long) ServiceEntry.SCHED_NQ), Map.entry("XLB_SCHED_FO", (long) ServiceEntry.SCHED_FO),
                    Map.entry("XLB_SCHED_OVF", (long) ServiceEntry.SCHED_OVF),
                    Map.entry("XLB_SCHED_LBLC", (long) ServiceEntry.SCHED_LBLC),
                    Map.entry("XLB_SCHED_LBLCR", (long) ServiceEntry.SCHED_LBLCR)), sched);
            assertEquals((long) Structs.LOCALITY_EXPIRATION_S, btf.enumValues("xlb_locality").get("XLB_LOCALITY_EXPIRATION_S"));
            Map<String, Long> limit = btf.enumValues("xlb_limit");
            assertEquals((long) Structs.MAX_SERVICES, limit.get("XLB_MAX_SERVICES"));
            assertEquals((long) Structs.MAX_REALS, limit.get("XLB_MAX_REALS"));
            assertEquals((long) Structs.MAX_CONNS, limit.get("XLB_MAX_CONNS"));
            assertEquals((long) Structs.NAT_HINT_SLOTS, limit.get("XLB_NAT_HINT_SLOTS"));
            assertEquals((long) Structs.MAX_SERVICES * MapSizes.VIPS_PER_SERVICE, limit.get("XLB_MAX_VIPS"));
            assertEquals((long) Structs.LC_MAX, limit.get("XLB_LC_MAX"));
            assertEquals((long) Structs.TABLE_MAX, limit.get("XLB_TABLE_MAX"));
            assertEquals((long) Structs.TABLE_HEADER, limit.get("XLB_TABLE_HEADER"));
            assertEquals((long) Structs.MAX_LOCALITY, limit.get("XLB_MAX_LOCALITY"));
            assertEquals((long) Structs.LBLCR_SET_MAX, limit.get("XLB_LBLCR_SET_MAX"));
        }
    }
}
