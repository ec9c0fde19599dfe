package io.xlb.bpf;

import io.xlb.ffi.LibC;
import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_map_create_opts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The entry point of java/bpf. Everything opened through an instance (objects, maps and programs
 * from pins, created maps) is closed when the instance is, in reverse order.
 */
public final class Bpf implements AutoCloseable {
    private final int possibleCpus;
    private final Xdp xdp = new Xdp();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private boolean closed;

    private Bpf(int possibleCpus) {
        this.possibleCpus = possibleCpus;
    }

    /** linux/magic.h: the f_type of a BPF filesystem. */
    private static final long BPF_FS_MAGIC = 0xcafe4a11L;

    /**
     * Whether {@code dir}, or the nearest of its ancestors that exists, is on a BPF filesystem (where
     * pins live). Asked of the kernel (statfs), not of the mount table, which a chroot or an
     * {@code ip netns exec} shows differently.
     */
    public static boolean onBpffs(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(LibC.STATFS_SIZE, 8);
            int rc = (int) LibC.statfs.invokeExact(Native.callState(arena), arena.allocateFrom(existing.toString()), buf);
            return rc == 0 && buf.get(ValueLayout.JAVA_LONG, 0) == BPF_FS_MAGIC;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    public static Bpf open() {
        LibbpfLog.ensureInstalled();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int cpus = (int) Libbpf.libbpf_num_possible_cpus.invokeExact(state);
            return new Bpf(Call.check("libbpf_num_possible_cpus", cpus, state, ""));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** e.g. "v1.1". */
    public static String libbpfVersion() {
        try (Arena arena = Arena.ofConfined()) {
            return LibC.string((MemorySegment) Libbpf.libbpf_version_string.invokeExact(Native.callState(arena)));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    public Xdp xdp() {
        return xdp;
    }

    public BpfObject openObject(Path file) {
        return track(BpfObject.open(file, possibleCpus));
    }

    public BpfObject openObject(String name, byte[] elf) {
        return track(BpfObject.open(name, elf, possibleCpus));
    }

    /** Opens an object shipped in a jar, e.g. {@code /bpf/xlb.o}. */
    public BpfObject openResource(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no BPF object " + resource + " on the classpath of "
                        + anchor.getName() + " (was the build's clang step skipped?)");
            }
            String name = resource.substring(resource.lastIndexOf('/') + 1).replaceFirst("\\.o$", "");
            return openObject(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    public RawMap openPinnedMap(Path path) {
        Fd fd = Pins.get(path);
        try {
            return track(new RawMap(fd.value(), fd, possibleCpus));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public BpfProgram openPinnedProgram(Path path) {
        Fd fd = Pins.get(path);
        try {
            return track(new BpfProgram(null, fd.value(), fd));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Opens a map by its kernel id, e.g. an inner map found through {@link MapOfMaps#innerId}. */
    public RawMap openMapById(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_get_fd_by_id.invokeExact(state, id);
            Fd fd = new Fd(Call.check("bpf_map_get_fd_by_id", rc, state, "id " + id));
            return track(new RawMap(fd.value(), fd, possibleCpus));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Creates a map outside any object (bpf_map_create). */
    public RawMap createMap(MapSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_map_create_opts.LAYOUT);
            opts.set(ValueLayout.JAVA_LONG, 0, bpf_map_create_opts.LAYOUT.byteSize());
            opts.set(ValueLayout.JAVA_INT, Native.offset(bpf_map_create_opts.LAYOUT, "map_flags"), spec.flags());
            if (spec.innerMapFd() >= 0) {
                opts.set(ValueLayout.JAVA_INT, Native.offset(bpf_map_create_opts.LAYOUT, "inner_map_fd"), spec.innerMapFd());
            }
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_create.invokeExact(state, spec.type().code(), arena.allocateFrom(spec.name()),
                    spec.keySize(), spec.valueSize(), spec.maxEntries(), opts);
            Fd fd = new Fd(Call.check("bpf_map_create", rc, state, spec.toString()));
            return track(new RawMap(fd.value(), fd, possibleCpus));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Removes a pin from the bpffs; false if there was none. */
    public boolean unpin(Path path) {
        return Pins.unpin(path);
    }

    private synchronized <T extends AutoCloseable> T track(T resource) {
        if (closed) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("Bpf is closed");
        }
        resources.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> failures = new ArrayList<>();
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("closing Bpf: " + failures.size() + " failures");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
