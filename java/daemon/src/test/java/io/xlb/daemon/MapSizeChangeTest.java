package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.config.ConfigFiles;
import io.xlb.dataplane.MapSizes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload's refusal of other map sizes: at each xlb_max_* keyword asking, or at the file where none is named. */
class MapSizeChangeTest {
    private static final MapSizes RUNNING = new MapSizes(2048, MapSizes.DEFAULTS.reals(), MapSizes.DEFAULTS.connections());

    @TempDir
    Path dir;

    private List<String> refusals(String globalDefs) throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, "global_defs {\n" + globalDefs + "}\n");
        ConfigCheck.Outcome o = ConfigCheck.check(file, ConfigFiles.DISK, List.of(), ConfigCheck.Host.OFFLINE, MapSizes.DEFAULTS);
        return MapSizeChange.refusals(file, o.config().global().mapSizes(), RUNNING, o.sizes());
    }

    @Test
    void theMapsOwnSizesAreNoChange() throws Exception {
        assertEquals(List.of(), refusals("    xlb_max_services 2048\n    xlb_max_reals " + MapSizes.DEFAULTS.reals() + "\n"));
    }

    @Test
    void eachSizeAskedIsRefusedAtItsKeyword() throws Exception {
        Path file = dir.resolve("keepalived.conf");
        String fixed = "map sizes are fixed when the maps are created; a reload cannot change them."
                + " Stop the daemon, remove the pins (xlb stop --flush) and start it again";
        assertEquals(List.of(file + ":2:5: error: xlb_max_services 4096: the maps hold 2048 services; " + fixed,
                        file + ":3:3: error: xlb_max_connections 2048: the maps hold " + MapSizes.DEFAULTS.connections()
                                + " connections; " + fixed),
                refusals("    xlb_max_services 4096\n  xlb_max_connections 2048\n"));
    }

    @Test
    void aSizeTheFileNoLongerNamesIsRefusedAtTheFile() throws Exception {
        Path file = dir.resolve("keepalived.conf");
        assertEquals(List.of(file + ": error: the maps hold 2048 services and this file asks for " + MapSizes.DEFAULTS.services()
                        + " (it sets no xlb_max_services: the daemon's --max-services or the default); map sizes are fixed when the"
                        + " maps are created; a reload cannot change them. Stop the daemon, remove the pins (xlb stop --flush) and"
                        + " start it again"),
                refusals("    router_id a\n"));
    }
}
