package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Sending a signal Java's ProcessHandle cannot (it only terminates): SIGHUP for a reload. */
public final class Signals {
    private Signals() {}

    /**
     * Undoes an inherited "ignore SIGHUP" (nohup, some service managers): the JVM will not install
     * a handler for a signal it found ignored at start, so a reload by SIGHUP would silently do
     * nothing. Call before registering the handler.
     */
    public static void unignoreHangup() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment previous = (MemorySegment) LibC.signal.invokeExact(Native.callState(arena), LibC.SIGHUP, MemorySegment.NULL);
            if (previous.address() == -1L) {
                throw new IllegalStateException("signal(SIGHUP, SIG_DFL) failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void hangup(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) LibC.kill.invokeExact(state, (int) pid, LibC.SIGHUP);
            if (rc < 0) {
                throw new SysException("kill", Native.errno(state), "SIGHUP to pid " + pid);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
