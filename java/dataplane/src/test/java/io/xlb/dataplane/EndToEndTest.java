package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Xdp;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tier 3: the seed's set-up in namespaces. A client, a director and two nginx real servers on
 * one L2 segment; curl to the VIP goes through the director's XDP program to both reals, and the
 * replies go straight back to the client (the director never sees them).
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "ss"})
class EndToEndTest {
    private static final String VIP = "10.77.0.100";
    private static final int REQUESTS = 20;

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DR", "TUN"}) // NAT has its own topology: NatTest, NatLabTest
    void curlThroughTheDirectorReachesBothRealsAndRepliesBypassIt(Method method) throws Exception {
        try (Lab lab = new Lab("xlbt"); Bpf bpf = Bpf.open()) {
            Lan lan = Lan.create(lab, "10.77.0", List.of("client", "director", "rs1", "rs2"));
            Lan.Host client = lan.host("client");
            Lan.Host director = lan.host("director");
            List<Lan.Host> rss = List.of(lan.host("rs1"), lan.host("rs2"));

            // The director owns the VIP (VRRP's job, later): it answers the client's ARP for it.
            director.ns().exec("ip", "addr", "add", VIP + "/32", "dev", director.ifname());
            for (Lan.Host rs : rss) {
                RealServerStep.apply(rs, VIP);
                Nginx.start(lab, rs);
            }
            if (method == Method.TUN) {
                for (Lan.Host rs : rss) {
                    TunnelDecap decap = TunnelDecap.load(bpf);
                    decap.accept(Frame.addr(rs.address()));
                    int ifindex = rs.ns().namespace().ifindex(rs.ifname());
                    rs.ns().namespace().run(() -> bpf.xdp().attach(ifindex, decap.program(), Xdp.Mode.NATIVE));
                }
            }

            Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(65536));
            VipKey web = new VipKey(Frame.addr(VIP), 80, Protocol.TCP);
            List<Real> reals = rss.stream()
                    .map(rs -> Real.of(Frame.addr(rs.address()), 80, 1, MacAddress.parse(rs.mac()))).toList();
            dp.apply(new DesiredState(List.of(new Service(web, Scheduler.named("rr"), method, reals)),
                    new DirectorConfig(Map.of(), (Inet4Address) Frame.addr(director.address()), null, 1500, 64)));
            int dirIf = director.ns().namespace().ifindex(director.ifname());
            director.ns().namespace().run(() -> bpf.xdp().attach(dirIf, dp.program(), Xdp.Mode.NATIVE));
            int port = lan.switchNamespace().namespace().ifindex(director.switchPort());
            lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, dp.passProgram(), Xdp.Mode.NATIVE));

            Map<String, Integer> served = new TreeMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                String body;
                try {
                    body = client.ns().exec("curl", "-sS", "--max-time", "5", "http://" + VIP + "/").strip();
                } catch (IllegalStateException e) {
                    throw new AssertionError("request " + i + " failed; director saw " + dp.reasons()
                            + "; service " + dp.serviceCounter(dp.serviceIndex(new VipKey(Frame.addr(VIP), 80, Protocol.TCP)).orElseThrow())
                            + "\nclient: " + client.ns().exec("ip", "-s", "link", "show", "eth0")
                            + "\nclient neigh: " + client.ns().exec("ip", "neigh")
                            + "\ndirector: " + director.ns().exec("ip", "-s", "link", "show", "eth0")
                            + "\nrs1: " + rss.get(0).ns().exec("ip", "-s", "link", "show", "eth0")
                            + "\nrs1 nstat: " + rss.get(0).ns().exec("nstat", "-az", "TcpExtListenDrops", "IpInAddrErrors", "TcpInErrs", "IpExtInNoRoutes", "TcpInCsumErrors", "IpInDiscards", "TcpActiveOpens", "TcpPassiveOpens", "IpInReceives")
                            + "\nswitch: " + lan.switchNamespace().exec("ip", "-s", "link"), e);
                }
                served.merge(body, 1, Integer::sum);
            }
            // rr's cursor is per CPU and the veths deliver on either CPU: both serve, not strictly in turn.
            assertEquals(java.util.Set.of("rs1", "rs2"), served.keySet(), "both reals serve: " + served);
            assertTrue(served.values().stream().allMatch(n -> n >= REQUESTS / 4), "balanced: " + served);

            int svc = dp.serviceIndex(web).orElseThrow();
            Counter c = dp.serviceCounter(svc);
            assertEquals(REQUESTS, c.conns(), "one connection per request");
            Map<Reason, Long> reasons = dp.reasons();
            long forwarded = reasons.get(method == Method.DR ? Reason.TX_DR : Reason.TX_TUN);
            assertEquals(c.packets(), forwarded, "every packet to the VIP was forwarded");
            assertTrue(c.packets() >= REQUESTS * 4L, "SYN, ACK, request, FIN and ACKs: " + c.packets());
            // Replies went from the reals to the client directly: the director saw no TCP but to the VIP.
            assertEquals(0, reasons.get(Reason.PASS_NOT_VIP), "packets not for the VIP reached the director: " + reasons);
            for (int i = 0; i < reals.size(); i++) {
                assertEquals((long) served.get(rss.get(i).name()),
                        dp.realCounter(dp.realIndex(web, reals.get(i)).orElseThrow()).conns(), "connections of " + rss.get(i).name());
            }
        }
    }
}
