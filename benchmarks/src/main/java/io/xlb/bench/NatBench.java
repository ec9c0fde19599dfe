package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfMap;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.testing.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * DataplaneBench's NAT rows, measured the same way (shim, floor, median of the samples) in the
 * same run: NAT's paths need the kernel's FIB to find their next hop, so they run in a namespace
 * of their own with one interface, "front" (one-armed NAT: the client and the reals on its
 * segment, every neighbour permanent, forwarding on), and BPF_PROG_TEST_RUN's frames arrive on it.
 * Every path ends in XDP_TX out of "front", as DR's do.
 */
final class NatBench {
    private NatBench() {}

    private static final String CLIENT = "198.51.100.7";
    /** ONE's real, apart from NEW_FLOWS's ten: its replies are found by nat_reals (the common case). */
    private static final String ONE_REAL = "198.51.100.31";
    /** The first of NEW_FLOWS's ten, behind SHARED too: SHARED's connections are found by an entry of their own. */
    private static final String SHARED_REAL = "198.51.100.21";
    private static final VipKey NEW_FLOWS = new VipKey(Frame.addr("192.0.2.30"), 80, Protocol.TCP);
    private static final VipKey ONE = new VipKey(Frame.addr("192.0.2.31"), 80, Protocol.TCP);
    private static final VipKey SHARED = new VipKey(Frame.addr("192.0.2.32"), 80, Protocol.TCP);
    private static final MacAddress REAL_MAC = MacAddress.parse("02:00:00:00:02:01");
    private static final MacAddress CLIENT_MAC = new MacAddress(Frame.CLIENT_MAC);

    static final String FORWARD_ESTABLISHED = "NAT, forward, established flow";
    static final String FORWARD_NEW = "NAT, forward, new flow, mh over 10 reals (SYN)";
    static final String REPLY = "NAT, reply (the VIP restored), established flow";
    static final String REPLY_SHARED = "NAT, reply, established flow, its real also behind another VIP (nat_replies)";

    /** The four NAT rows: name, runs note, ns and × floor, as DataplaneBench's. */
    static List<DataplaneBench.Row> measure(Bpf bpf, BpfProgram floor, BpfProgram shim, BpfMap<Integer, byte[]> input,
                                            BpfMap<Integer, Integer> target, int repeat, int samples, int newFlowRuns)
            throws Exception {
        try (Netns ns = Netns.create("xlbb"); Netns wire = Netns.create("xlbb")) {
            Veth.create(ns, "front", "198.51.100.1/24", wire, "peer0", null);
            ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.forwarding=1");
            ns.exec("ip", "neigh", "replace", CLIENT, "lladdr", CLIENT_MAC.toString(), "dev", "front", "nud", "permanent");
            List<Real> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String addr = "198.51.100." + (21 + i);
                ns.exec("ip", "neigh", "replace", addr, "lladdr", REAL_MAC.toString(), "dev", "front", "nud", "permanent");
                ten.add(new Real(Frame.addr(addr), 80, 1, Method.NAT, MacAddress.ZERO, 0));
            }
            ns.exec("ip", "neigh", "replace", ONE_REAL, "lladdr", REAL_MAC.toString(), "dev", "front", "nud", "permanent");
            Real one = new Real(Frame.addr(ONE_REAL), 80, 1, Method.NAT, MacAddress.ZERO, 0);
            int front = ns.namespace().ifindex("front");
            String frontMac = Veth.mac(ns, "front");
            byte[] empty = new byte[0];
            Frame established = Frame.tcp(CLIENT, 40000, "192.0.2.31", 80, Frame.ACK).payload(empty).dstMac(frontMac);
            Frame syn = Frame.tcp(CLIENT, 40000, "192.0.2.30", 80, Frame.SYN).payload(empty).dstMac(frontMac);
            Frame reply = Frame.eth(REAL_MAC.bytes(), Frame.mac(frontMac)).ip(ONE_REAL, CLIENT).ttl(64)
                    .tcp(80, 40000, Frame.ACK).payload(empty);
            Frame sharedReply = Frame.eth(REAL_MAC.bytes(), Frame.mac(frontMac)).ip(SHARED_REAL, CLIENT).ttl(64)
                    .tcp(80, 40001, Frame.ACK).payload(empty);
            return ns.namespace().call(() -> {
                List<DataplaneBench.Row> rows = new ArrayList<>();
                try (Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults())) {
                    dp.apply(new DesiredState(List.of(
                            new Service(NEW_FLOWS, Scheduler.named("mh"), Method.NAT, ten),
                            new Service(ONE, Scheduler.named("mh"), Method.NAT, List.of(one)),
                            new Service(SHARED, Scheduler.named("mh"), Method.NAT, ten.subList(0, 1))), DirectorConfig.defaults()));
                    dp.addInterface(front, MacAddress.parse(frontMac));
                    target.put(0, dp.program().fd());
                    // The forward flow first, SYN then ACK: an established connection, and the entry its replies restore from.
                    Frame open = Frame.tcp(CLIENT, 40000, "192.0.2.31", 80, Frame.SYN).payload(empty).dstMac(frontMac);
                    Frame openShared = Frame.tcp(CLIENT, 40001, "192.0.2.32", 80, Frame.SYN).payload(empty).dstMac(frontMac);
                    Frame establishedShared = Frame.tcp(CLIENT, 40001, "192.0.2.32", 80, Frame.ACK).payload(empty).dstMac(frontMac);
                    for (Frame f : List.of(open, established, openShared, establishedShared)) {
                        DataplaneBench.setInput(input, f.bytes(), 0);
                        DataplaneBench.check(shim.testRun(f.bytes(), 1, front), TestRunResult.XDP_TX, 54, FORWARD_ESTABLISHED);
                    }
                    rows.add(sample(FORWARD_ESTABLISHED, established, 0, repeat, repeat, samples, dp, floor, shim, input, target, front));
                    rows.add(sample(REPLY, reply, 0, repeat, repeat, samples, dp, floor, shim, input, target, front));
                    rows.add(sample(REPLY_SHARED, sharedReply, 0, repeat, repeat, samples, dp, floor, shim, input, target, front));
                    rows.add(sample(FORWARD_NEW, syn, DataplaneBench.V4_SRC_OFFSET, newFlowRuns, repeat, samples, dp, floor, shim, input,
                            target, front));
                }
                return rows;
            });
        }
    }

    /** As DataplaneBench's loop: per sample the floor, the shim with the floor, the shim with the director; the median. */
    private static DataplaneBench.Row sample(String name, Frame frame, int stamp, int runs, int repeat, int samples, Dataplane dp,
                                             BpfProgram floor,
                                             BpfProgram shim, BpfMap<Integer, byte[]> input, BpfMap<Integer, Integer> target,
                                             int ingress) {
        byte[] bytes = frame.bytes();
        byte[] floorFrame = Frame.tcp(CLIENT, 40000, "192.0.2.10", 80, Frame.ACK).payload(new byte[0]).bytes();
        double[] ns = new double[samples];
        double[] ratio = new double[samples];
        for (int i = 0; i < samples; i++) {
            int floorNs = floor.testRun(floorFrame, runs).durationNs();
            target.put(0, floor.fd());
            DataplaneBench.setInput(input, floorFrame, 0);
            int shimFloorNs = DataplaneBench.check(shim.testRun(floorFrame, runs), TestRunResult.XDP_TX, 54, "shim+floor");
            target.put(0, dp.program().fd());
            DataplaneBench.setInput(input, bytes, stamp);
            int total = DataplaneBench.check(shim.testRun(bytes, runs, ingress), TestRunResult.XDP_TX, 54, name);
            ns[i] = Math.max(0, total - shimFloorNs) + floorNs;
            ratio[i] = ns[i] / Math.max(1, floorNs);
        }
        return new DataplaneBench.Row(name, runs != repeat ? " [" + runs + " per sample]" : "", DataplaneBench.median(ns),
                DataplaneBench.median(ratio));
    }
}
