package io.xlb.bpf;

import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_xdp_attach_opts;
import io.xlb.bpf.ffi.bpf_xdp_query_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * XDP attachment by ifindex, in the network namespace of the calling thread (netlink is).
 * Attaching where a program already sits is an error; {@link #replace} swaps atomically and only
 * if the expected program is the one attached.
 */
public final class Xdp {
    // linux/if_link.h
    private static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    private static final int XDP_FLAGS_REPLACE = 1 << 4;
    private static final int XDP_ATTACHED_NONE = 0;
    private static final int XDP_ATTACHED_DRV = 1;
    private static final int XDP_ATTACHED_SKB = 2;
    private static final int XDP_ATTACHED_HW = 3;

    /** Where the program runs: in the driver (native), in the generic stack, or on the NIC. */
    public enum Mode {
        NATIVE(1 << 2), GENERIC(1 << 1), OFFLOAD(1 << 3);

        final int flag;

        Mode(int flag) {
            this.flag = flag;
        }
    }

    /** The program attached to an interface, and how. */
    public record Attachment(int programId, Mode mode) {}

    Xdp() {}

    public void attach(int ifindex, BpfProgram program, Mode mode) {
        call("bpf_xdp_attach", ifindex, program.fd(), XDP_FLAGS_UPDATE_IF_NOEXIST | mode.flag, -1,
                "attach " + program.name() + " to ifindex " + ifindex + " " + mode);
    }

    /** Atomically swaps {@code expected} for {@code next}; fails (EEXIST) if another program is attached. */
    public void replace(int ifindex, BpfProgram next, BpfProgram expected, Mode mode) {
        call("bpf_xdp_attach", ifindex, next.fd(), XDP_FLAGS_REPLACE | mode.flag, expected.fd(),
                "replace " + expected.name() + " by " + next.name() + " on ifindex " + ifindex + " " + mode);
    }

    /** Detaches whatever program is attached in {@code mode}. */
    public void detach(int ifindex, Mode mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_xdp_detach.invokeExact(state, ifindex, mode.flag, MemorySegment.NULL);
            Call.check("bpf_xdp_detach", rc, state, "ifindex " + ifindex + " " + mode);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Detaches only if {@code expected} is the program attached (EEXIST otherwise). */
    public void detach(int ifindex, BpfProgram expected, Mode mode) {
        call("bpf_xdp_attach", ifindex, -1, XDP_FLAGS_REPLACE | mode.flag, expected.fd(),
                "detach " + expected.name() + " from ifindex " + ifindex + " " + mode);
    }

    public Optional<Attachment> query(int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_xdp_query_opts.LAYOUT);
            opts.set(ValueLayout.JAVA_LONG, 0, bpf_xdp_query_opts.LAYOUT.byteSize());
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_xdp_query.invokeExact(state, ifindex, 0, opts);
            Call.check("bpf_xdp_query", rc, state, "ifindex " + ifindex);
            int mode = opts.get(ValueLayout.JAVA_BYTE, Native.offset(bpf_xdp_query_opts.LAYOUT, "attach_mode"));
            return switch (mode) {
                case XDP_ATTACHED_NONE -> Optional.empty();
                case XDP_ATTACHED_DRV -> Optional.of(new Attachment(id(opts, "drv_prog_id"), Mode.NATIVE));
                case XDP_ATTACHED_SKB -> Optional.of(new Attachment(id(opts, "skb_prog_id"), Mode.GENERIC));
                case XDP_ATTACHED_HW -> Optional.of(new Attachment(id(opts, "hw_prog_id"), Mode.OFFLOAD));
                default -> Optional.of(new Attachment(id(opts, "prog_id"), Mode.NATIVE));
            };
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private static int id(MemorySegment opts, String field) {
        return opts.get(ValueLayout.JAVA_INT, Native.offset(bpf_xdp_query_opts.LAYOUT, field));
    }

    private static void call(String name, int ifindex, int progFd, int flags, int oldFd, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_xdp_attach_opts.LAYOUT);
            opts.set(ValueLayout.JAVA_LONG, 0, bpf_xdp_attach_opts.LAYOUT.byteSize());
            opts.set(ValueLayout.JAVA_INT, Native.offset(bpf_xdp_attach_opts.LAYOUT, "old_prog_fd"), oldFd);
            MemorySegment state = Native.callState(arena);
            MemorySegment optsOrNull = oldFd >= 0 ? opts : MemorySegment.NULL;
            int rc = (int) Libbpf.bpf_xdp_attach.invokeExact(state, ifindex, progFd, flags, optsOrNull);
            Call.check(name, rc, state, context);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }
}
