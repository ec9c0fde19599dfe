package io.xlb.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What every binding shares: the native linker, errno capture, and field access by name.
 * Each downcall made here takes a leading call-state segment (see {@link #callState}) in which
 * the linker stores errno right after the C function returns, before the JVM can clobber it.
 */
public final class Native {
    private Native() {}

    public static final Linker LINKER = Linker.nativeLinker();
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** A library loaded for the life of the process; a missing one names the package that brings it. */
    public static SymbolLookup library(String soname, String debianPackage) {
        try {
            return SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError(soname + " not found: install the Debian package '"
                    + debianPackage + "' (sudo tools/setup)");
        }
    }

    /** A downcall handle whose first parameter is the call-state segment receiving errno. */
    public static MethodHandle errnoDowncall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol not found: " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    /** A plain downcall handle, for functions that do not report through errno. */
    public static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol not found: " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** A field's VarHandle with coordinates (segment, base offset). */
    public static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    public static long offset(StructLayout layout, String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }
}
