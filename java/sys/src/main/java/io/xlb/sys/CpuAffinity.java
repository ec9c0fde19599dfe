package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work on one CPU. Per-CPU BPF state (cursors, per-CPU maps) is only coherent from the
 * point of view of one CPU, so measurements and exact-count tests pin themselves. The work runs
 * on a fresh platform thread whose affinity is set; the caller's thread is never changed.
 */
public final class CpuAffinity {
    private CpuAffinity() {}

    public static <T> T callOn(int cpu, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("cpu-" + cpu).start(() -> {
            try {
                pinCurrentThread(cpu);
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    private static void pinCurrentThread(int cpu) throws Throwable {
        if (cpu < 0 || cpu >= LibC.CPU_SET_BYTES * 8) {
            throw new IllegalArgumentException("cpu out of range: " + cpu);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(LibC.CPU_SET_BYTES);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            MemorySegment state = Native.callState(arena);
            int rc = (int) LibC.sched_setaffinity.invokeExact(state, 0, (long) LibC.CPU_SET_BYTES, mask);
            if (rc < 0) {
                throw new SysException("sched_setaffinity", Native.errno(state), "cpu " + cpu);
            }
        }
    }
}
