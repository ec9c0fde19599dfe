package io.xlb.cli;

import io.xlb.dataplane.MapSizes;
import picocli.CommandLine.Option;

/**
 * {@code --max-services}, {@code --max-reals}, {@code --max-connections}: the dataplane's map sizes
 * where the file's global_defs sets none (xlb_max_services, xlb_max_reals, xlb_max_connections).
 */
final class MapSizeOptions {
    @Option(names = "--max-services", paramLabel = "N", description = "services the maps hold, unless global_defs"
            + " xlb_max_services says (default: ${DEFAULT-VALUE}; ~0.55 KiB of kernel memory each with 2 CPUs, plus its scheduling table)")
    int services = MapSizes.DEFAULTS.services();

    @Option(names = "--max-reals", paramLabel = "N", description = "real servers (sorry servers included) the maps hold,"
            + " unless global_defs xlb_max_reals says (default: ${DEFAULT-VALUE}; ~0.18 KiB each with 2 CPUs, 48 B more per CPU)")
    int reals = MapSizes.DEFAULTS.reals();

    @Option(names = "--max-connections", paramLabel = "N", description = "entries of the connection table (and NAT's replies),"
            + " unless global_defs xlb_max_connections says (default: ${DEFAULT-VALUE}; 264 B each)")
    int connections = MapSizes.DEFAULTS.connections();

    MapSizes sizes() {
        return new MapSizes(services, reals, connections);
    }
}
