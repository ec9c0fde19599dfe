package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.RawMap;
import io.xlb.config.ConfigFiles;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.DirectorPreload;
import io.xlb.dataplane.MapSizes;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1 000 VIPs from one file, beyond the default map sizes (global_defs xlb_max_services), through the
 * daemon's check and into the maps; then what applying again and changing one real's weight cost in
 * map writes: nothing, and the one entry that changed (wlc: its real; mh: its real and its ring).
 * The 10 000 × 100 run is benchmarks/run-scale's.
 */
@Privileged
class ScaleTest {
    private static final int VIPS = 1000;
    private static final int REALS = 10;

    @TempDir
    Path dir;

    private static String config(String scheduler, int changedVip, int weight) {
        StringBuilder b = new StringBuilder("global_defs {\n    xlb_max_services 2000\n    xlb_max_reals 20000\n}\n");
        for (int v = 0; v < VIPS; v++) {
            b.append("virtual_server 10.96.").append(v >> 8).append('.').append(v & 255).append(" 80 {\n    protocol TCP\n")
                    .append("    lb_algo ").append(scheduler).append("\n    lb_kind DR\n");
            for (int r = 0; r < REALS; r++) {
                int n = v * REALS + r;
                b.append("    real_server 10.128.").append(n >> 8).append('.').append(n & 255).append(" 80 {\n        weight ")
                        .append(v == changedVip && r == 0 ? weight : 1).append("\n    }\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    /** As the daemon applies it: every real's MAC resolved (until then a DR real takes no flows and sits in no ring). */
    private static DesiredState resolved(DesiredState state) {
        MacAddress mac = MacAddress.parse("02:00:5e:00:53:01");
        return new DesiredState(state.services().stream().map(s -> new Service(s.vip(), s.scheduler(), s.method(),
                s.reals().stream().map(r -> r.withNextHop(mac, 0)).toList(), s.persistence())).toList(), state.config());
    }

    private ConfigCheck.Outcome check(String text) throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, text);
        ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE, MapSizes.DEFAULTS);
        assertTrue(o.accepted(false), () -> o.errors().toString());
        return o;
    }

    @Test
    void aThousandVipsLoadAndOneWeightChangeWritesWhatChanged() throws Exception {
        for (String scheduler : List.of("wlc", "mh")) {
            ConfigCheck.Outcome first = check(config(scheduler, -1, 0));
            assertEquals(new MapSizes(2000, 20000, MapSizes.DEFAULTS.connections()), first.sizes());
            try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.of(first.sizes()))) {
                assertEquals(first.sizes(), dp.sizes());
                dp.apply(resolved(first.desired()));
                assertEquals(VIPS, dp.view().size());
                assertEquals(VIPS * REALS, dp.realIndices().size());

                RawMap.Writes before = dp.mapWrites();
                dp.apply(resolved(first.desired()));
                assertEquals(RawMap.Writes.NONE.elements(), dp.mapWrites().minus(before).elements(), "the same state again");

                ConfigCheck.Outcome changed = check(config(scheduler, VIPS / 2, 3));
                before = dp.mapWrites();
                dp.apply(resolved(changed.desired()));
                RawMap.Writes weight = dp.mapWrites().minus(before);
                // wlc reads live weights: the real's entry only. mh: that, and its ring rebuilt (header + slots) and swapped in.
                long ring = scheduler.equals("mh") ? 1 + 65537 + 1 : 0;
                assertEquals(1 + ring, weight.elements(), scheduler + ": " + weight);
                assertEquals(3, dp.view().stream().filter(v -> v.vip().address().getHostAddress().equals("10.96.1.244"))
                        .findFirst().orElseThrow().reals().getFirst().weight());
            }
        }
    }

    /**
     * The daemon's start: the sizes are told as soon as global_defs is read, the director loads with them
     * while the rest is parsed, and the dataplane pinned is that one; a later global_defs naming other
     * sizes wins (the object loaded early is dropped and the maps are made at the final sizes).
     */
    @Test
    void theDirectorLoadsWithTheFilesSizesWhileTheRestIsRead() throws Exception {
        String second = "global_defs {\n    xlb_max_services 3000\n    xlb_max_reals 30000\n}\n";
        for (String text : List.of(config("wlc", -1, 0), config("wlc", -1, 0) + second)) {
            Path file = dir.resolve("keepalived.conf");
            Files.writeString(file, text);
            Path pins = Path.of("/sys/fs/bpf/xlb-scaletest-" + ProcessHandle.current().pid());
            List<MapSizes> told = new java.util.ArrayList<>();
            try (Bpf bpf = Bpf.open(); DirectorPreload preload = new DirectorPreload(bpf)) {
                ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE,
                        MapSizes.DEFAULTS, sizes -> {
                            told.add(sizes);
                            preload.start(sizes);
                        });
                assertTrue(o.accepted(false), () -> o.errors().toString());
                MapSizes first = new MapSizes(2000, 20000, MapSizes.DEFAULTS.connections());
                assertEquals(first, told.getFirst());
                assertEquals(told.getLast(), o.sizes());
                try (Dataplane dp = DataplaneLoader.loadOrUpgrade(bpf, pins, DataplaneLoader.Options.of(o.sizes()), preload)
                        .dataplane()) {
                    assertEquals(o.sizes(), dp.sizes());
                    assertEquals(o.sizes().reals(), dp.map("reals").info().maxEntries());
                    dp.apply(resolved(o.desired()));
                    assertEquals(VIPS * REALS, dp.realIndices().size());
                } finally {
                    DataplaneLoader.unpin(bpf, pins);
                }
            }
        }
    }

    @Test
    void moreServicesThanTheMapsHoldAreRefusedAtTheVirtualServer() throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, config("wlc", -1, 0).replace("xlb_max_services 2000", "xlb_max_services 999"));
        ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE, MapSizes.DEFAULTS);
        assertTrue(o.errors().stream().anyMatch(d -> d.toString().startsWith(file + ":" + (5 + 999 * (4 + 3 * REALS + 1))
                + ":1: error: more than 999 virtual servers")), () -> o.errors().toString());
    }

    @Test
    void aMapSizeOutOfBoundsIsAnErrorAtItsValue() throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, "global_defs {\n    xlb_max_connections 12\n    xlb_max_reals many\n}\n");
        ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE, MapSizes.DEFAULTS);
        List<String> errors = o.errors().stream().map(Object::toString).toList();
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(file + ":2:25: error:")), errors::toString);
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(file + ":3:19: error:")), errors::toString);
    }

    @Test
    void theDaemonsOptionSizesWhereTheFileSaysNothing() throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, "global_defs {\n    xlb_max_reals 50000\n}\n");
        ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE,
                new MapSizes(4096, 4096, 4096));
        assertEquals(new MapSizes(4096, 50000, 4096), o.sizes());
    }
}
