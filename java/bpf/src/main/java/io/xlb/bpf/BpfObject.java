package io.xlb.bpf;

import io.xlb.ffi.LibC;
import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_object_open_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A BPF ELF object opened by libbpf: programs and maps by name, loaded into the kernel by
 * {@link #load()}. When loading fails, the verifier's log is part of the exception's message.
 */
public final class BpfObject implements AutoCloseable {
    /** Room for the verifier's log; it is only written when a load fails (log level 0 first). */
    private static final int KERNEL_LOG_SIZE = 4 << 20;

    private final Arena arena;
    private final MemorySegment obj;
    private final MemorySegment kernelLog;
    private final String name;
    private final int possibleCpus;
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, RawMap> maps = new LinkedHashMap<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(Arena arena, MemorySegment obj, MemorySegment kernelLog, String name, int possibleCpus) {
        this.arena = arena;
        this.obj = obj;
        this.kernelLog = kernelLog;
        this.name = name;
        this.possibleCpus = possibleCpus;
    }

    /** Opens an object from ELF bytes (an object shipped as a classpath resource). */
    static BpfObject open(String name, byte[] elf, int possibleCpus) {
        Arena arena = Arena.ofShared();
        try {
            // libbpf reads the buffer until load; it lives as long as the object.
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, elf);
            MemorySegment log = arena.allocate(KERNEL_LOG_SIZE);
            MemorySegment opts = openOpts(arena, name, log);
            MemorySegment state = Native.callState(arena);
            MemorySegment obj = (MemorySegment) Libbpf.bpf_object__open_mem.invokeExact(state, buf, (long) elf.length, opts);
            Call.check("bpf_object__open_mem", obj, state, name);
            return new BpfObject(arena, obj, log, name, possibleCpus);
        } catch (Throwable t) {
            arena.close();
            throw Call.rethrow(t);
        }
    }

    /** Opens an object from a file. */
    static BpfObject open(java.nio.file.Path path, int possibleCpus) {
        Arena arena = Arena.ofShared();
        try {
            String name = path.getFileName().toString().replaceFirst("\\.o$", "");
            MemorySegment log = arena.allocate(KERNEL_LOG_SIZE);
            MemorySegment opts = openOpts(arena, name, log);
            MemorySegment state = Native.callState(arena);
            MemorySegment obj = (MemorySegment) Libbpf.bpf_object__open_file.invokeExact(state,
                    arena.allocateFrom(path.toString()), opts);
            Call.check("bpf_object__open_file", obj, state, path.toString());
            return new BpfObject(arena, obj, log, name, possibleCpus);
        } catch (Throwable t) {
            arena.close();
            throw Call.rethrow(t);
        }
    }

    private static MemorySegment openOpts(Arena arena, String name, MemorySegment log) {
        MemorySegment opts = arena.allocate(bpf_object_open_opts.LAYOUT);
        opts.set(ValueLayout.JAVA_LONG, 0, bpf_object_open_opts.LAYOUT.byteSize());
        opts.set(ValueLayout.ADDRESS, Native.offset(bpf_object_open_opts.LAYOUT, "object_name"), arena.allocateFrom(name));
        opts.set(ValueLayout.ADDRESS, Native.offset(bpf_object_open_opts.LAYOUT, "kernel_log_buf"), log);
        opts.set(ValueLayout.JAVA_LONG, Native.offset(bpf_object_open_opts.LAYOUT, "kernel_log_size"), log.byteSize());
        return opts;
    }

    public String name() {
        return name;
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Names of the programs in the object, in section order; available before load. */
    public List<String> programNames() {
        List<String> names = new ArrayList<>();
        try {
            MemorySegment prog = MemorySegment.NULL;
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment state = Native.callState(tmp);
                while (!(prog = (MemorySegment) Libbpf.bpf_object__next_program.invokeExact(state, obj, prog)).equals(MemorySegment.NULL)) {
                    names.add(LibC.string((MemorySegment) Libbpf.bpf_program__name.invokeExact(state, prog)));
                }
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        return names;
    }

    /** Names of the maps in the object (including .rodata/.bss if any); available before load. */
    public List<String> mapNames() {
        List<String> names = new ArrayList<>();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            MemorySegment map = MemorySegment.NULL;
            while (!(map = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(state, obj, map)).equals(MemorySegment.NULL)) {
                names.add(LibC.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(state, map)));
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        return names;
    }

    /**
     * Before load: makes the object use an existing map (e.g. one opened from a pin) instead of
     * creating its own, so a new program keeps the old program's state.
     */
    public void reuseMap(String mapName, RawMap existing) {
        requireState(false);
        MemorySegment map = findMap(mapName);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int rc = (int) Libbpf.bpf_map__reuse_fd.invokeExact(state, map, existing.fd());
            Call.check("bpf_map__reuse_fd", rc, state, "map " + mapName + " of " + name);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Before load: sizes a map other than its C definition says (e.g. a smaller table in tests). */
    public void setMaxEntries(String mapName, int maxEntries) {
        requireState(false);
        MemorySegment map = findMap(mapName);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int rc = (int) Libbpf.bpf_map__set_max_entries.invokeExact(state, map, maxEntries);
            Call.check("bpf_map__set_max_entries", rc, state, "map " + mapName + " of " + name + ", " + maxEntries);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Creates the maps and loads every program; on a verifier rejection the log is in the message. */
    public void load() {
        requireState(false);
        kernelLog.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int rc = (int) Libbpf.bpf_object__load.invokeExact(state, obj);
            if (rc < 0) {
                int errno = Native.errno(state) != 0 ? Native.errno(state) : -rc;
                String log = kernelLog.getString(0).strip();
                if (log.isEmpty()) {
                    throw new BpfException("bpf_object__load", errno, name);
                }
                LibbpfLog.LOG.log(System.Logger.Level.DEBUG, "verifier log of {0}:\n{1}", name, log);
                throw BpfException.withDetail("bpf_object__load", errno, name, "-- kernel log --\n" + log);
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        loaded = true;
    }

    /** A loaded program by its C function name. */
    public synchronized BpfProgram program(String programName) {
        requireState(true);
        return programs.computeIfAbsent(programName, n -> {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment state = Native.callState(tmp);
                MemorySegment prog = MemorySegment.NULL;
                while (!(prog = (MemorySegment) Libbpf.bpf_object__next_program.invokeExact(state, obj, prog)).equals(MemorySegment.NULL)) {
                    if (n.equals(LibC.string((MemorySegment) Libbpf.bpf_program__name.invokeExact(state, prog)))) {
                        int fd = (int) Libbpf.bpf_program__fd.invokeExact(state, prog);
                        return new BpfProgram(n, Call.check("bpf_program__fd", fd, state, n), null);
                    }
                }
            } catch (Throwable t) {
                throw Call.rethrow(t);
            }
            throw new NoSuchElementException("no program " + n + " in object " + name + "; it has " + programNames());
        });
    }

    /** A loaded map by its C name. */
    public synchronized RawMap map(String mapName) {
        requireState(true);
        return maps.computeIfAbsent(mapName, n -> {
            MemorySegment map = findMap(n);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment state = Native.callState(tmp);
                int fd = (int) Libbpf.bpf_map__fd.invokeExact(state, map);
                return new RawMap(Call.check("bpf_map__fd", fd, state, n), null, possibleCpus);
            } catch (Throwable t) {
                throw Call.rethrow(t);
            }
        });
    }

    private MemorySegment findMap(String mapName) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            MemorySegment map = MemorySegment.NULL;
            while (!(map = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(state, obj, map)).equals(MemorySegment.NULL)) {
                if (mapName.equals(LibC.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(state, map)))) {
                    return map;
                }
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        throw new NoSuchElementException("no map " + mapName + " in object " + name + "; it has " + mapNames());
    }

    /** The object's BTF, valid while the object is open. */
    public Btf btf() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            MemorySegment btf = (MemorySegment) Libbpf.bpf_object__btf.invokeExact(state, obj);
            return Btf.borrowed(Call.check("bpf_object__btf", btf, state, name + " has no BTF (compile with -g)"));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private void requireState(boolean mustBeLoaded) {
        if (closed) {
            throw new IllegalStateException("object " + name + " is closed");
        }
        if (loaded != mustBeLoaded) {
            throw new IllegalStateException("object " + name + (loaded ? " is already loaded" : " is not loaded yet"));
        }
    }

    /** Closes every program and map fd of the object (pinned ones live on in the kernel). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena tmp = Arena.ofConfined()) {
            Libbpf.bpf_object__close.invokeExact(Native.callState(tmp), obj);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        } finally {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "object " + name;
    }
}
