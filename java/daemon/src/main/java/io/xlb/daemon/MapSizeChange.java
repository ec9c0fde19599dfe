package io.xlb.daemon;

import io.xlb.config.GlobalDefs;
import io.xlb.dataplane.MapSizes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Why a reload whose file asks for other map sizes than the running maps' is refused: one error per
 * size that differs, at the {@code global_defs xlb_max_*} keyword asking for it, or at the file when
 * the file no longer names the size (the daemon's option or the default then applies).
 */
final class MapSizeChange {
    private static final String FIXED = "map sizes are fixed when the maps are created; a reload cannot change them."
            + " Stop the daemon, remove the pins (xlb stop --flush) and start it again";

    private MapSizeChange() {}

    /** Nothing when {@code wanted} equals {@code maps}; {@code asked}: what the file's global_defs says, with positions. */
    static List<String> refusals(Path file, GlobalDefs.MapSizes asked, MapSizes maps, MapSizes wanted) {
        List<String> out = new ArrayList<>();
        refusal(out, file, "xlb_max_services", "services", "--max-services", asked.services(), maps, wanted, MapSizes::services);
        refusal(out, file, "xlb_max_reals", "reals", "--max-reals", asked.reals(), maps, wanted, MapSizes::reals);
        refusal(out, file, "xlb_max_connections", "connections", "--max-connections", asked.connections(), maps, wanted,
                MapSizes::connections);
        return out;
    }

    private static void refusal(List<String> out, Path file, String keyword, String what, String option, GlobalDefs.MapSize asked,
                                MapSizes maps, MapSizes wanted, ToIntFunction<MapSizes> size) {
        int have = size.applyAsInt(maps);
        int want = size.applyAsInt(wanted);
        if (have == want) {
            return;
        }
        out.add(asked != null
                ? asked.pos() + ": error: " + keyword + " " + want + ": the maps hold " + have + " " + what + "; " + FIXED
                : file + ": error: the maps hold " + have + " " + what + " and this file asks for " + want + " (it sets no "
                        + keyword + ": the daemon's " + option + " or the default); " + FIXED);
    }
}
