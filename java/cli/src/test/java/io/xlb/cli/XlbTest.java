package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XlbTest {

    @Test
    void helpListsTheSubcommands() {
        XlbRun r = XlbRun.of("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: xlb"), r.out());
        assertTrue(r.out().contains("version"), r.out());
    }

    @Test
    void versionNamesLibbpfAndKernel() {
        XlbRun r = XlbRun.of("version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*libbpf v1\\.\\d+.*"), r.out());
        assertTrue(r.out().contains("kernel "), r.out());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        XlbRun r = XlbRun.of("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("frobnicate"), r.err());
    }
}
