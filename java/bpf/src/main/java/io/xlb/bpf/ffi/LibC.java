package io.xlb.bpf.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc functions java/bpf needs, one handle per C function, in jextract's shape. */
public final class LibC {
    private LibC() {}

    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();

    /** int close(int fd) */
    public static final MethodHandle close =
            Native.errnoDowncall(LIBC, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** const char *strerrordesc_np(int errnum): thread-safe, unlike strerror. */
    public static final MethodHandle strerrordesc_np =
            Native.downcall(LIBC, "strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** const char *strerrorname_np(int errnum): "ENOENT" for 2. */
    public static final MethodHandle strerrorname_np =
            Native.downcall(LIBC, "strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** int vsnprintf(char *str, size_t size, const char *format, va_list ap): on x86-64 a va_list argument is a pointer. */
    public static final MethodHandle vsnprintf = Native.downcall(LIBC, "vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    /** A C string of unbounded length read from a pointer libc returned. */
    public static String string(MemorySegment cstr) {
        return cstr.equals(MemorySegment.NULL) ? null : cstr.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
