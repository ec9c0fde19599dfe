package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfMap;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.PerCpuMap;
import io.xlb.bpf.TestRunResult;

/**
 * bench/shim.c loaded, the way the BPF_PROG_TEST_RUN benchmarks measure a program: {@code shim}
 * restores the frame kept in {@code input} (the kernel reruns a program on its own output), stamps
 * a fresh source from {@code seq} when asked, and tail-calls the program whose fd is in
 * {@code target}; {@code floor} is the least an XDP_TX program does, measured beside it.
 */
record BenchShim(BpfProgram floor, BpfProgram shim, BpfMap<Integer, byte[]> input, BpfMap<Integer, Integer> target,
                 PerCpuMap<Integer, Integer> seq) {
    /** The size of {@code input}'s value, shim.c's struct bench_packet: length, stamp offset, 128 bytes of frame. */
    static final int INPUT_SIZE = 136;

    /** Loads it into {@code bpf} (closed with it). */
    static BenchShim load(Bpf bpf) {
        BpfObject shim = bpf.openResource(BenchShim.class, "/bpf/shim.o");
        shim.load();
        return new BenchShim(shim.program("bench_floor"), shim.program("bench_shim"),
                shim.map("bench_input").typed(Codec.U32, Codec.bytes(INPUT_SIZE)), shim.map("bench_target").typed(Codec.U32, Codec.U32),
                shim.map("bench_seq").perCpu(Codec.U32, Codec.U32));
    }

    /** The shim tail-calls {@code program} from now on, restoring {@code frame} before each run (stamped at {@code stampOffset}; 0: not). */
    void aim(BpfProgram program, byte[] frame, int stampOffset) {
        target.put(0, program.fd());
        DataplaneBench.setInput(input, frame, stampOffset);
    }

    /** One sample's floor and shim tail-calling the floor, in ns per packet: a program's cost is (shim+program) - (shim+floor) + floor. */
    record Floor(int floorNs, int shimFloorNs) {
        /** That cost, from the shim tail-calling the program measured in the same sample. */
        double cost(int shimProgramNs) {
            return Math.max(0, shimProgramNs - shimFloorNs) + floorNs;
        }
    }

    /** The floor and the shim tail-calling it, {@code runs} runs each on {@code frame} (which the floor sends back as long as it came). */
    Floor measureFloor(byte[] frame, int runs) {
        int floorNs = floor.testRun(frame, runs).durationNs();
        aim(floor, frame, 0);
        return new Floor(floorNs, DataplaneBench.check(shim.testRun(frame, runs), TestRunResult.XDP_TX, frame.length, "shim+floor"));
    }
}
