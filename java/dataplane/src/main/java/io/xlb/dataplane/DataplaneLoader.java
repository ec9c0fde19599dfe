package io.xlb.dataplane;

import static io.xlb.dataplane.Dataplane.MAPS;
import static io.xlb.dataplane.Dataplane.OBJECT;
import static io.xlb.dataplane.Dataplane.PASS_PROGRAM;
import static io.xlb.dataplane.Dataplane.PROGRAM;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Btf;
import io.xlb.bpf.MapInfo;
import io.xlb.bpf.MapSpec;
import io.xlb.bpf.MapType;
import io.xlb.bpf.RawMap;
import io.xlb.bpf.Xdp;
import io.xlb.dataplane.abi.NatReply;
import io.xlb.dataplane.abi.Structs;
import io.xlb.dataplane.abi.VipKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The director's lifecycle, apart from what its maps say ({@link Dataplane}): loading the object
 * this jar ships, pinning it, adopting what a previous daemon pinned, upgrading a pinned program
 * in place (keeping every map whose layout did not change), and unpinning.
 */
public final class DataplaneLoader {
    private DataplaneLoader() {}

    /**
     * Load-time sizes: services, reals, connections; 0 for any of them is the C definition's when
     * maps are created, and whatever the pinned maps have when they are adopted or reused.
     */
    public record Options(int maxServices, int maxReals, int maxConnections) {
        /** Only the connection table sized (tests use small ones). */
        public Options(int maxConnections) {
            this(0, 0, maxConnections);
        }

        public static Options defaults() {
            return new Options(0, 0, 0);
        }

        public static Options of(MapSizes sizes) {
            return new Options(sizes.services(), sizes.reals(), sizes.connections());
        }

        /** These sizes, where not given those of {@code fallback}. */
        public MapSizes sizes(MapSizes fallback) {
            return new MapSizes(maxServices > 0 ? maxServices : fallback.services(),
                    maxReals > 0 ? maxReals : fallback.reals(), maxConnections > 0 ? maxConnections : fallback.connections());
        }
    }

    /** Opens the director object shipped in this jar and loads it (maps created, program verified). */
    public static Dataplane load(Bpf bpf, Options options) {
        return of(bpf, loadObject(bpf, options.sizes(MapSizes.DEFAULTS)));
    }

    /** The director object shipped in this jar, loaded with maps of {@code sizes}. */
    static BpfObject loadObject(Bpf bpf, MapSizes sizes) {
        BpfObject object = bpf.openResource(Dataplane.class, OBJECT);
        try {
            size(object, sizes);
            object.load();
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static Dataplane of(Bpf bpf, BpfObject object) {
        return Dataplane.of(bpf, object, object::map, object.program(PROGRAM), object.program(PASS_PROGRAM));
    }

    /** The object {@code preload} loaded with {@code sizes}, else one loaded now. */
    private static BpfObject loadObject(Bpf bpf, MapSizes sizes, DirectorPreload preload) {
        return preload.take(sizes).orElseGet(() -> loadObject(bpf, sizes));
    }

    /**
     * Pins the programs and every map under {@code dir} (on a bpffs): they outlive this process,
     * traffic keeps flowing, and {@link #adopt} picks them up again.
     */
    public static void pin(Dataplane dp, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        dp.program().pin(dir.resolve(PROGRAM));
        dp.passProgram().pin(dir.resolve(PASS_PROGRAM));
        dp.rawMaps().forEach((name, map) -> map.pin(dir.resolve(name)));
    }

    /**
     * Opens what {@link #pin} left under {@code dir} and rebuilds which service and real owns
     * which slot from the maps themselves, so the next {@link #apply} of the same state changes
     * nothing a packet could notice.
     */
    public static Dataplane adopt(Bpf bpf, Path dir) {
        Dataplane dp = Dataplane.of(bpf, null, name -> Files.exists(dir.resolve(name)) || !ADDED_LATER.contains(name)
                        ? bpf.openPinnedMap(dir.resolve(name)) : standIn(bpf, dir, name),
                bpf.openPinnedProgram(dir.resolve(PROGRAM)), bpf.openPinnedProgram(dir.resolve(PASS_PROGRAM)));
        dp.rebuildFromMaps();
        return dp;
    }

    /**
     * Maps later builds added: the pins of an older build have none of them. Adopting those pins (xlb
     * adm, status, the lab: to list them) stands each in empty and unpinned; the older program reads
     * none of them, so what it does is unchanged, and listings show no NAT reply mapping.
     */
    static final List<String> ADDED_LATER = List.of("nat_reals", "nat_real_hints");
    /** linux/bpf.h: a hash that allocates its entries as they are inserted (nat_reals holds NAT reals only). */
    private static final int BPF_F_NO_PREALLOC = 1;

    /** An empty, unpinned map shaped as this build's {@code name} (one of {@link #ADDED_LATER}). */
    private static RawMap standIn(Bpf bpf, Path dir, String name) {
        return switch (name) {
            case "nat_reals" -> {
                try (RawMap reals = bpf.openPinnedMap(dir.resolve("reals"))) {
                    yield bpf.createMap(new MapSpec(MapType.HASH, name, VipKey.CODEC.size(), NatReply.CODEC.size(),
                            reals.info().maxEntries(), BPF_F_NO_PREALLOC, -1));
                }
            }
            case "nat_real_hints" -> bpf.createMap(new MapSpec(MapType.ARRAY, name, Integer.BYTES, Integer.BYTES,
                    Structs.NAT_HINT_SLOTS, 0, -1));
            default -> throw new IllegalArgumentException("no stand-in for map " + name);
        };
    }

    private static void size(BpfObject object, MapSizes sizes) {
        sizes.maxEntries().forEach(object::setMaxEntries);
    }

    /**
     * The sizes of the maps pinned at {@code dir} must be those asked (where asked): they are fixed
     * at creation, and adopting maps of other sizes would silently keep the old ones.
     */
    static MapSizes requireSizes(Path dir, Map<String, RawMap> pinnedMaps, Options options) {
        MapSizes pinned = MapSizes.of(name -> pinnedMaps.containsKey(name)
                ? pinnedMaps.get(name).info().maxEntries() : MapSizes.DEFAULTS.maxEntries().get(name));
        MapSizes asked = options.sizes(pinned);
        if (!asked.equals(pinned)) {
            throw new IllegalStateException("the dataplane pinned at " + dir + " holds " + pinned + "; " + asked
                    + " were asked. Map sizes are fixed when the maps are created: ask for the pinned sizes, or stop the"
                    + " daemon and remove the pins (xlb stop --flush; connections in progress are lost) to start with new ones");
        }
        return pinned;
    }

    /** What {@link #loadOrUpgrade} did. */
    public record Start(Dataplane dataplane, String outcome, List<String> mapsRecreated) {}

    /**
     * The dataplane pinned at {@code dir}, with this build's program: loaded and pinned when nothing
     * is there; adopted when the pinned program is this build's; otherwise upgraded — this build's
     * program is loaded reusing every pinned map whose layout (shape and key/value structs, from
     * the kernel's BTF) is unchanged, swapped atomically (XDP_FLAGS_REPLACE) wherever the old one
     * is attached in this namespace, and pinned in its place.
     */
    public static Start loadOrUpgrade(Bpf bpf, Path dir, Options options) {
        return loadOrUpgrade(bpf, dir, options, new DirectorPreload(bpf));
    }

    /**
     * The same, taking the object {@code preload} loaded meanwhile where its sizes are those needed:
     * as the dataplane when nothing is pinned, as the probe of the pinned maps' layouts otherwise.
     */
    public static Start loadOrUpgrade(Bpf bpf, Path dir, Options options, DirectorPreload preload) {
        if (!Files.exists(dir.resolve(PROGRAM))) {
            Dataplane dp = of(bpf, loadObject(bpf, options.sizes(MapSizes.DEFAULTS), preload));
            try {
                pin(dp, dir);
            } catch (RuntimeException e) {
                dp.close();
                throw e;
            }
            return new Start(dp, "loaded and pinned", List.of());
        }
        BpfProgram pinned = bpf.openPinnedProgram(dir.resolve(PROGRAM));
        Map<String, RawMap> pinnedMaps = new LinkedHashMap<>();
        for (String name : MAPS) {
            if (Files.exists(dir.resolve(name))) {
                pinnedMaps.put(name, bpf.openPinnedMap(dir.resolve(name)));
            }
        }
        MapSizes sizes;
        try {
            sizes = requireSizes(dir, pinnedMaps, options);
        } catch (IllegalStateException e) {
            pinnedMaps.values().forEach(RawMap::close);
            pinned.close();
            throw e;
        }
        // Phase one: this build's maps as the kernel would create them, to compare layouts.
        List<String> reusable = new ArrayList<>();
        try (BpfObject probe = loadObject(bpf, sizes, preload)) {
            if (probe.program(PROGRAM).info().tag().equals(pinned.info().tag())
                    && pinnedMaps.keySet().containsAll(MAPS)) {
                return new Start(adopt(bpf, dir), "adopted (same program)", List.of());
            }
            pinnedMaps.forEach((name, old) -> {
                if (sameLayout(old.info(), probe.map(name).info())) {
                    reusable.add(name);
                }
            });
        }
        // Phase two: load for real, on the maps that can be kept.
        BpfObject next = bpf.openResource(Dataplane.class, OBJECT);
        size(next, sizes);
        reusable.forEach(name -> next.reuseMap(name, pinnedMaps.get(name)));
        next.load();
        BpfProgram program = next.program(PROGRAM);
        for (int ifindex : attachedIfindexes(bpf, pinned)) {
            Xdp.Mode mode = bpf.xdp().query(ifindex).map(Xdp.Attachment::mode).orElse(Xdp.Mode.NATIVE);
            bpf.xdp().replace(ifindex, program, pinned, mode);
        }
        List<String> recreated = new ArrayList<>();
        bpf.unpin(dir.resolve(PROGRAM));
        bpf.unpin(dir.resolve(PASS_PROGRAM));
        program.pin(dir.resolve(PROGRAM));
        next.program(PASS_PROGRAM).pin(dir.resolve(PASS_PROGRAM));
        for (String name : MAPS) {
            if (!reusable.contains(name)) {
                bpf.unpin(dir.resolve(name));
                next.map(name).pin(dir.resolve(name));
                recreated.add(name);
            }
        }
        Dataplane dp = Dataplane.of(bpf, next, next::map, program, next.program(PASS_PROGRAM));
        dp.rebuildFromMaps();
        return new Start(dp, "upgraded the pinned program (id " + pinned.id() + " -> " + program.id() + ")", recreated);
    }

    /** Same shape, and the same key and value structs member by member (kernel BTF of each map). */
    static boolean sameLayout(MapInfo old, MapInfo next) {
        if (!old.sameShape(next)) {
            return false;
        }
        if (old.btfId() == 0 || next.btfId() == 0) {
            return old.btfId() == next.btfId();
        }
        try (Btf a = Btf.fromKernel(old.btfId()); Btf b = Btf.fromKernel(next.btfId())) {
            return a.structById(old.btfKeyTypeId()).equals(b.structById(next.btfKeyTypeId()))
                    && a.structById(old.btfValueTypeId()).equals(b.structById(next.btfValueTypeId()));
        }
    }

    /** Interfaces of this namespace where {@code program} is the attached XDP program. */
    private static List<Integer> attachedIfindexes(Bpf bpf, BpfProgram program) {
        List<Integer> out = new ArrayList<>();
        try {
            for (java.net.NetworkInterface nif : java.net.NetworkInterface.networkInterfaces().toList()) {
                bpf.xdp().query(nif.getIndex()).filter(a -> a.programId() == program.id()).ifPresent(a -> out.add(nif.getIndex()));
            }
        } catch (java.net.SocketException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Removes what {@link #pin} left (programs and maps live on while attached or open). */
    public static void unpin(Bpf bpf, Path dir) {
        bpf.unpin(dir.resolve(PROGRAM));
        bpf.unpin(dir.resolve(PASS_PROGRAM));
        MAPS.forEach(name -> bpf.unpin(dir.resolve(name)));
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
