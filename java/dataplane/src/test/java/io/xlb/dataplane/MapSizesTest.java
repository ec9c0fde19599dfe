package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.dataplane.abi.Method;
import io.xlb.testing.Privileged;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: map sizes set before load, kept by adoption, and a pinned dataplane of other sizes refused with the reason. */
@Privileged
class MapSizesTest {
    private static final MapSizes SMALL = new MapSizes(8, 32, 4096);
    @RegisterExtension
    final DirectorPins pins = new DirectorPins("sizes");
    private final Path dir = pins.dir();

    @Test
    void everyMapOfASizeIsSizedAndTheSlotsFollow() {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.of(SMALL))) {
            assertEquals(SMALL, dp.sizes());
            SMALL.maxEntries().forEach((map, entries) -> assertEquals((long) entries, dp.map(map).info().maxEntries(), map));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dp.check(DesiredState.of(
                    service(WEB, "rr", Method.DR, java.util.stream.IntStream.range(0, 33).mapToObj(i -> new Real(RS1.address(), 1000 + i, 1, Method.DR, RS1.mac(), RS1.ifindex()))
                            .toArray(Real[]::new)))));
            assertTrue(e.getMessage().startsWith("more than 32 reals"), e.getMessage());
        }
    }

    @Test
    void adoptionKeepsThePinnedSizesAndRefusesOthers() {
        try (Bpf bpf = Bpf.open()) {
            DataplaneLoader.Start first = DataplaneLoader.loadOrUpgrade(bpf, dir, DataplaneLoader.Options.of(SMALL));
            first.dataplane().apply(DesiredState.of(service(WEB, "wrr", Method.DR, RS1, RS2)));
            first.dataplane().close();
            DataplaneLoader.Start same = DataplaneLoader.loadOrUpgrade(bpf, dir, DataplaneLoader.Options.of(SMALL));
            assertEquals("adopted (same program)", same.outcome());
            assertEquals(SMALL, same.dataplane().sizes());
            same.dataplane().close();
            DataplaneLoader.Start unsaid = DataplaneLoader.loadOrUpgrade(bpf, dir, DataplaneLoader.Options.defaults());
            assertEquals(SMALL, unsaid.dataplane().sizes(), "sizes not asked: the pinned ones");
            unsaid.dataplane().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataplaneLoader.loadOrUpgrade(bpf, dir,
                    DataplaneLoader.Options.of(new MapSizes(8, 64, 4096))));
            assertTrue(e.getMessage().contains("holds 8 services, 32 reals, 4096 connections; 8 services, 64 reals, 4096"
                    + " connections were asked"), e.getMessage());
        }
    }
}
