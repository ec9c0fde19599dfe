package io.xlb.bpf;

import io.xlb.ffi.LibC;
import io.xlb.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/** A file descriptor this process owns; closed once, by {@link #close()}. */
public final class Fd implements AutoCloseable {
    private final int value;
    private final AtomicBoolean closed = new AtomicBoolean();

    public Fd(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative fd " + value);
        }
        this.value = value;
    }

    public int value() {
        if (closed.get()) {
            throw new IllegalStateException("fd " + value + " is closed");
        }
        return value;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) LibC.close.invokeExact(state, value);
            if (rc < 0) {
                throw new BpfException("close", Native.errno(state), "fd " + value);
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "fd " + value;
    }
}
