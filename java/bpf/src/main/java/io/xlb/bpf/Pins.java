package io.xlb.bpf;

import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** bpf_obj_pin and bpf_obj_get: objects on a bpffs outlive the process that made them. */
final class Pins {
    private Pins() {}

    static void pin(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_obj_pin.invokeExact(state, fd, arena.allocateFrom(path.toString()));
            Call.check("bpf_obj_pin", rc, state, path.toString());
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    static Fd get(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_obj_get.invokeExact(state, arena.allocateFrom(path.toString()));
            return new Fd(Call.check("bpf_obj_get", rc, state, path.toString()));
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Removes a pin; the object lives on while anything else holds it. False if nothing was there. */
    static boolean unpin(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("unpin " + path, e);
        }
    }
}
