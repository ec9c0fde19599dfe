package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.sys.Neighbours;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real's MAC comes from the kernel's neighbour table, is resolved without a packet of ours,
 * and follows a change of the real's MAC into the director's maps.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl"})
class RealMacsTest {
    @Test
    void theDirectorsFramesFollowTheRealsMac() throws Exception {
        try (Netns director = Netns.create("xlbt"); Netns real = Netns.create("xlbt"); Bpf bpf = Bpf.open()) {
            Veth.create(director, "dir0", "10.97.0.1/24", real, "rs0", "10.97.0.2/24");
            director.exec("sysctl", "-q", "-w", "net.ipv4.neigh.dir0.base_reachable_time_ms=500",
                    "net.ipv4.neigh.dir0.delay_first_probe_time=1");
            int ifindex = director.namespace().ifindex("dir0");
            Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(4096));
            VipKey web = new VipKey(InetAddress.ofLiteral("192.0.2.10"), 80, Protocol.TCP);
            DesiredState config = DesiredState.of(new Service(web, Scheduler.named("rr"), Method.DR,
                    List.of(Real.of(InetAddress.ofLiteral("10.97.0.2"), 80, 1, MacAddress.ZERO))));
            Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
            try (Neighbours n = director.namespace().call(Neighbours::open)) {
                RealMacs macs = new RealMacs(n, ifindex);
                // Netlink sockets belong to the namespace they were opened in; calls may come from anywhere.
                String first = awaitMac(dp, macs, config, syn, null);
                assertEquals(Veth.mac(real, "rs0"), first);
                real.exec("ip", "link", "set", "rs0", "address", "02:00:5e:00:53:99");
                assertEquals("02:00:5e:00:53:99", awaitMac(dp, macs, config, syn.source("198.51.100.8", 1), first));
            }
        }
    }

    /** Applies the resolved state until a new flow leaves with a MAC other than {@code previous}. */
    private static String awaitMac(Dataplane dp, RealMacs macs, DesiredState config, Frame probe, String previous)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        int port = 1;
        while (Instant.now().isBefore(deadline)) {
            dp.apply(macs.resolve(config));
            TestRunResult r = dp.program().testRun(probe.source("198.51.100." + (port % 250 + 1), port++).bytes());
            if (r.retval() == TestRunResult.XDP_TX) {
                String mac = HexFormat.ofDelimiter(":").formatHex(Arrays.copyOf(r.packet(), 6));
                if (!mac.equals(previous)) {
                    return mac;
                }
            }
            Thread.sleep(200);
        }
        return previous;
    }
}
