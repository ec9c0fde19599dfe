package io.xlb.bpf;

import io.xlb.ffi.LibC;
import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Routes libbpf's own messages into the platform logger ({@link System.Logger}, xlb's one logging
 * facade) under the name {@code io.xlb.bpf.libbpf}. libbpf keeps a single process-wide print
 * function, so this is installed once, by class initialisation, and never changes.
 */
final class LibbpfLog {
    private LibbpfLog() {}

    static final System.Logger LOG = System.getLogger("io.xlb.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int LINE_MAX = 8192;

    private static final class Installed {
        static final boolean DONE = install();
    }

    static void ensureInstalled() {
        if (!Installed.DONE) {
            throw new IllegalStateException("libbpf print callback not installed");
        }
    }

    private static boolean install() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Native.LINKER.upcallStub(target, Libbpf.libbpf_print_fn_t, Arena.global());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment previous = (MemorySegment) Libbpf.libbpf_set_print.invokeExact(Native.callState(arena), stub);
                return previous != null;
            }
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** The upcall: format with vsnprintf (the va_list can be consumed once) and log one record. */
    @SuppressWarnings("unused")
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(LINE_MAX);
            int n = (int) LibC.vsnprintf.invokeExact(buf, (long) LINE_MAX, format, args);
            if (n <= 0) {
                return 0;
            }
            String line = buf.getString(0).stripTrailing();
            System.Logger.Level l = switch (level) {
                case LIBBPF_WARN -> System.Logger.Level.WARNING;
                case LIBBPF_INFO -> System.Logger.Level.INFO;
                default -> System.Logger.Level.DEBUG;
            };
            LOG.log(l, line);
            return n;
        } catch (Throwable t) {
            // An exception must not cross back into C.
            return 0;
        }
    }
}
