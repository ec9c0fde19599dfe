package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.dataplane.Dataplane.RealView;
import io.xlb.dataplane.Dataplane.ServiceView;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.VipKey;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden output: ipvsadm 1.31's layouts, column for column. */
class IpvsListingTest {
    private static final List<ServiceView> SERVICES = List.of(
            new ServiceView(0, new VipKey(InetAddress.ofLiteral("192.168.1.200"), 80, Protocol.TCP), "rr",
                    new Counter(120, 8000, 20), List.of(
                    new RealView(0, InetAddress.ofLiteral("192.168.1.130"), 80, Method.DR, 3, new RealConns(2, 7),
                            new Counter(60, 4000, 10), io.xlb.dataplane.abi.MacAddress.ZERO, 0),
                    new RealView(1, InetAddress.ofLiteral("192.168.1.131"), 80, Method.TUN, 3, new RealConns(0, 0),
                            new Counter(60, 4000, 10), io.xlb.dataplane.abi.MacAddress.ZERO, 0))),
            new ServiceView(1, new VipKey(InetAddress.ofLiteral("2001:db8::10"), 53, Protocol.UDP), "wlc",
                    Counter.ZERO, List.of(
                    new RealView(2, InetAddress.ofLiteral("2001:db8:1::11"), 53, Method.DR, 1, RealConns.ZERO, Counter.ZERO, io.xlb.dataplane.abi.MacAddress.ZERO, 0))));

    @Test
    void listNumeric() {
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  192.168.1.200:80 rr
                  -> 192.168.1.130:80             Route   3      2          7        \s
                  -> 192.168.1.131:80             Tunnel  3      0          0        \s
                UDP  [2001:db8::10]:53 wlc
                  -> [2001:db8:1::11]:53          Route   1      0          0        \s
                """, IpvsListing.list(SERVICES, 4096));
    }

    @Test
    void stats() {
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                  -> RemoteAddress:Port
                TCP  192.168.1.200:80                   20      120        0     8000        0
                  -> 192.168.1.130:80                   10       60        0     4000        0
                  -> 192.168.1.131:80                   10       60        0     4000        0
                UDP  [2001:db8::10]:53                   0        0        0        0        0
                  -> [2001:db8:1::11]:53                 0        0        0        0        0
                """, IpvsListing.stats(SERVICES, 4096));
    }

    @Test
    void thresholdsAndPersistentConn() {
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\s
                  -> RemoteAddress:Port
                TCP  192.168.1.200:80 rr
                  -> 192.168.1.130:80             0          0          2          7        \s
                  -> 192.168.1.131:80             0          0          0          0        \s
                UDP  [2001:db8::10]:53 wlc
                  -> [2001:db8:1::11]:53          0          0          0          0        \s
                """, IpvsListing.thresholds(SERVICES, 4096));
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn\s
                  -> RemoteAddress:Port
                TCP  192.168.1.200:80 rr
                  -> 192.168.1.130:80             3         0           2          7        \s
                  -> 192.168.1.131:80             3         0           0          0        \s
                UDP  [2001:db8::10]:53 wlc
                  -> [2001:db8:1::11]:53          1         0           0          0        \s
                """, IpvsListing.persistent(SERVICES, 4096));
    }

    @Test
    void rateIsTheDifferenceOverTheInterval() {
        List<ServiceView> later = List.of(new ServiceView(0, SERVICES.getFirst().vip(), "rr", new Counter(220, 18000, 30),
                List.of(new RealView(0, InetAddress.ofLiteral("192.168.1.130"), 80, Method.DR, 3, RealConns.ZERO,
                        new Counter(160, 14000, 20), io.xlb.dataplane.abi.MacAddress.ZERO, 0))));
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
                  -> RemoteAddress:Port
                TCP  192.168.1.200:80                    5       50        0     5000        0
                  -> 192.168.1.130:80                    5       50        0     5000        0
                """, IpvsListing.rate(SERVICES, later, 2.0, 4096, false));
    }

    /** ipvsadm's print_service_entry: scheduler flags in parentheses before persistence; each real's thresholds. */
    @Test
    void schedulerFlagsAndThresholds() {
        List<ServiceView> services = List.of(new ServiceView(0, new VipKey(InetAddress.ofLiteral("192.168.1.200"), 80,
                Protocol.TCP), "sh", Counter.ZERO, List.of(new RealView(0, InetAddress.ofLiteral("192.168.1.130"), 80,
                Method.DR, 3, new RealConns(1, 9), Counter.ZERO, io.xlb.dataplane.abi.MacAddress.ZERO, 0,
                new io.xlb.dataplane.abi.RealThresholds(10, 6, true))), new io.xlb.dataplane.Service.Persistence(300, 24),
                List.of("sh-fallback", "sh-port")));
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  192.168.1.200:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0
                  -> 192.168.1.130:80             Route   3      1          9        \s
                """, IpvsListing.list(services, 4096));
        assertEquals("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\s
                  -> RemoteAddress:Port
                TCP  192.168.1.200:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0
                  -> 192.168.1.130:80             10         6          1          9        \s
                """, IpvsListing.thresholds(services, 4096));
    }

    @Test
    void largeNumbersAreAbbreviatedUnlessExact() {
        assertEquals(" 99999999", IpvsListing.largenum(99_999_999L, false));
        assertEquals("  123456K", IpvsListing.largenum(123_456_789L, false));
        assertEquals("   12345M", IpvsListing.largenum(12_345_678_901L, false));
        assertEquals(" 123456789", IpvsListing.largenum(123_456_789L, true));
    }
}
