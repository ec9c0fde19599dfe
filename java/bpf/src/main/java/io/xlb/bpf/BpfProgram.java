package io.xlb.bpf;

import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_test_run_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** A loaded program: from an object (closed with it) or opened from a pin (owns its fd). */
public final class BpfProgram implements AutoCloseable {
    /** Room for a program that grows the packet (encapsulation) during a test run. */
    public static final int TEST_RUN_HEADROOM = 256;
    private static final int BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
    /** The most frames a live test run sends at a time (the kernel's limit). */
    private static final int LIVE_FRAMES_MAX_BATCH = 256;

    private final String name;
    private final int fd;
    private final Fd owned;
    private final ProgramInfo info;

    BpfProgram(String name, int fd, Fd owned) {
        this.fd = fd;
        this.owned = owned;
        this.info = Info.program(fd);
        this.name = name != null ? name : info.name();
    }

    public String name() {
        return name;
    }

    public int fd() {
        return owned != null ? owned.value() : fd;
    }

    public int id() {
        return info.id();
    }

    public ProgramInfo info() {
        return info;
    }

    public void pin(Path path) {
        Pins.pin(fd(), path);
    }

    /** Runs the program once on {@code packet} (BPF_PROG_TEST_RUN). */
    public TestRunResult testRun(byte[] packet) {
        return testRun(packet, 1);
    }

    /**
     * Runs the program {@code repeat} times on the same buffer: from the second run on, it sees
     * its own output. The duration is the kernel's average per run.
     */
    public TestRunResult testRun(byte[] packet, int repeat) {
        return testRun(packet, repeat, 0);
    }

    /**
     * As {@link #testRun(byte[], int)}, the program seeing the frame as received on
     * {@code ingressIfindex} (in the calling thread's network namespace; 0: loopback).
     */
    public TestRunResult testRun(byte[] packet, int repeat, int ingressIfindex) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1: " + repeat);
        }
        try (Arena arena = Arena.ofConfined()) {
            int outCapacity = packet.length + TEST_RUN_HEADROOM;
            MemorySegment out = arena.allocate(outCapacity);
            MemorySegment opts = options(arena, packet, repeat, ingressIfindex);
            opts.set(ValueLayout.ADDRESS, Native.offset(bpf_test_run_opts.LAYOUT, "data_out"), out);
            setInt(opts, "data_size_out", outCapacity);
            run(arena, opts, packet);
            int outLen = getInt(opts, "data_size_out");
            return new TestRunResult(getInt(opts, "retval"),
                    out.asSlice(0, Math.min(outLen, outCapacity)).toArray(ValueLayout.JAVA_BYTE),
                    getInt(opts, "duration"));
        }
    }

    /**
     * Sends {@code repeat} frames made from {@code packet} through the program for real
     * (BPF_PROG_TEST_RUN in live-frames mode, kernel 5.18+): each run gets a frame of its own
     * from a page pool, and what the program returns is done, as in a driver: XDP_TX leaves by
     * {@code ifindex} (in the calling thread's network namespace), XDP_REDIRECT by its target,
     * anything else drops the frame. A frame's page comes back to the pool as its last user left
     * it, so a program that makes traffic rewrites every byte it needs. {@code batch} frames go
     * out at a time (the kernel's default when 0, at most 256). No output: this is a generator.
     */
    public void testRunLive(byte[] packet, int repeat, int ifindex, int batch) {
        if (repeat < 1 || ifindex < 1 || batch < 0 || batch > LIVE_FRAMES_MAX_BATCH) {
            throw new IllegalArgumentException("repeat " + repeat + ", ifindex " + ifindex + ", batch " + batch);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = options(arena, packet, repeat, ifindex);
            setInt(opts, "flags", BPF_F_TEST_XDP_LIVE_FRAMES);
            setInt(opts, "batch_size", batch);
            run(arena, opts, packet);
        }
    }

    private static MemorySegment options(Arena arena, byte[] packet, int repeat, int ingressIfindex) {
        MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_BYTE, packet);
        MemorySegment opts = arena.allocate(bpf_test_run_opts.LAYOUT);
        set(opts, "sz", bpf_test_run_opts.LAYOUT.byteSize());
        opts.set(ValueLayout.ADDRESS, Native.offset(bpf_test_run_opts.LAYOUT, "data_in"), in);
        setInt(opts, "data_size_in", packet.length);
        setInt(opts, "repeat", repeat);
        if (ingressIfindex != 0) {
            // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
            MemorySegment ctx = arena.allocate(6 * Integer.BYTES, Integer.BYTES);
            ctx.set(ValueLayout.JAVA_INT, 4, packet.length);
            ctx.set(ValueLayout.JAVA_INT, 12, ingressIfindex);
            opts.set(ValueLayout.ADDRESS, Native.offset(bpf_test_run_opts.LAYOUT, "ctx_in"), ctx);
            setInt(opts, "ctx_size_in", (int) ctx.byteSize());
        }
        return opts;
    }

    private void run(Arena arena, MemorySegment opts, byte[] packet) {
        try {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_prog_test_run_opts.invokeExact(state, fd(), opts);
            Call.check("bpf_prog_test_run_opts", rc, state, "program " + name + ", " + packet.length + " bytes in");
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private static void set(MemorySegment s, String field, long v) {
        s.set(ValueLayout.JAVA_LONG, Native.offset(bpf_test_run_opts.LAYOUT, field), v);
    }

    private static void setInt(MemorySegment s, String field, int v) {
        s.set(ValueLayout.JAVA_INT, Native.offset(bpf_test_run_opts.LAYOUT, field), v);
    }

    private static int getInt(MemorySegment s, String field) {
        return s.get(ValueLayout.JAVA_INT, Native.offset(bpf_test_run_opts.LAYOUT, field));
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return "program " + name + " (id " + info.id() + ")";
    }
}
