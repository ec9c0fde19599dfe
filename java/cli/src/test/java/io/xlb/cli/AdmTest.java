package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.daemon.PinLock;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.testing.Privileged;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** xlb adm on a pinned dataplane with no daemon: ipvsadm's commands, save/restore round trip. */
@Privileged
class AdmTest {
    private final Path pinDir = Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-adm");

    private XlbRun adm(String... args) {
        return XlbRun.withPinDir("adm", pinDir, args);
    }

    @BeforeEach
    void pinAnEmptyDataplane() {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(4096))) {
            DataplaneLoader.pin(dp, pinDir);
        }
    }

    @AfterEach
    void unpin() {
        try (Bpf bpf = Bpf.open()) {
            DataplaneLoader.unpin(bpf, pinDir);
        }
    }

    @Test
    void rulesMadeWithAdmSaveAndRestoreToTheSameListing() {
        assertEquals(0, adm("-A", "-t", "192.0.2.10:80", "-s", "wrr", "-p", "300", "-M", "255.255.255.0").exit());
        assertEquals(0, adm("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.1:80", "-g", "-w", "3").exit());
        assertEquals(0, adm("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.2", "-i", "-w", "1").exit());
        assertEquals(0, adm("-A", "-u", "[2001:db8::10]:53", "-s", "rr").exit());
        assertEquals(0, adm("-a", "-u", "[2001:db8::10]:53", "-r", "[2001:db8::11]:53", "-g", "-w", "2").exit());
        String listing = adm("-Ln").out();
        assertEquals("""
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  192.0.2.10:80 wrr persistent 300 mask 255.255.255.0
                  -> 10.0.0.1:80                  Route   3      0          0        \s
                  -> 10.0.0.2:80                  Tunnel  1      0          0        \s
                UDP  [2001:db8::10]:53 rr
                  -> [2001:db8::11]:53            Route   2      0          0        \s
                """, listing.substring(listing.indexOf('\n') + 1));
        String rules = adm("-S", "-n").out();
        assertEquals("""
                -A -t 192.0.2.10:80 -s wrr -p 300 -M 255.255.255.0
                -a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 3
                -a -t 192.0.2.10:80 -r 10.0.0.2:80 -i -w 1
                -A -u [2001:db8::10]:53 -s rr
                -a -u [2001:db8::10]:53 -r [2001:db8::11]:53 -g -w 2
                """, rules);

        assertEquals(0, adm("-C").exit());
        assertEquals(3, adm("-Ln").out().lines().count(), "cleared: the header alone");
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(rules.getBytes(StandardCharsets.UTF_8)));
            assertEquals(0, adm("-R").exit());
        } finally {
            System.setIn(stdin);
        }
        assertEquals(listing, adm("-Ln").out(), "restore reproduces the listing");
        assertEquals(rules, adm("-S", "-n").out());
    }

    @Test
    void restoreReadsIpvsadmSaveWithPortNamesAndNamesTheLineThatFails() {
        String saved = "-A -t 192.168.1.10:http -s rr\n-a -t 192.168.1.10:http -r 10.0.0.2:http -g -w 1\n";
        assertEquals(0, restore(saved).exit());
        assertEquals("-A -t 192.168.1.10:80 -s rr\n-a -t 192.168.1.10:80 -r 10.0.0.2:80 -g -w 1\n", adm("-S", "-n").out());
        XlbRun again = restore(saved);
        assertEquals(1, again.exit());
        assertEquals("-R line 1: Service already exists", again.err().strip());
        XlbRun unknown = restore("-a -t 192.168.1.10:http -r 10.0.0.3 -i --tun-type gue\n");
        assertEquals(1, unknown.exit());
        assertEquals("-R line 1: Unknown options: '--tun-type', 'gue'", unknown.err().strip());
        assertEquals(1, adm("-Ln").out().lines().filter(l -> l.contains("->") && !l.contains("RemoteAddress")).count(),
                "nothing of a refused input is applied");
    }

    private XlbRun restore(String rules) {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(rules.getBytes(StandardCharsets.UTF_8)));
            return adm("-R");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void editsDeletesTimeoutsAndErrorsAsIpvsadm() {
        adm("-A", "-t", "192.0.2.10:80", "-s", "rr");
        adm("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.1:80", "-g", "-w", "3");
        assertEquals(0, adm("-e", "-t", "192.0.2.10:80", "-r", "10.0.0.1:80", "-w", "0").exit());
        assertTrue(adm("-Ln").out().contains("  -> 10.0.0.1:80                  Route   0 "), "quiesced");
        assertEquals(0, adm("-E", "-t", "192.0.2.10:80", "-s", "mh").exit());
        assertTrue(adm("-Ln").out().contains("TCP  192.0.2.10:80 mh\n"));

        XlbRun dup = adm("-A", "-t", "192.0.2.10:80", "-s", "rr");
        assertEquals(1, dup.exit());
        assertEquals("Service already exists", dup.err().strip());
        assertEquals("No such destination", adm("-d", "-t", "192.0.2.10:80", "-r", "10.0.0.9:80").err().strip());
        assertEquals("No such service", adm("-D", "-t", "192.0.2.99:80").err().strip());
        // Masquerading, a real on another port: listed as ipvsadm lists it.
        XlbRun masq = adm("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.2:8080", "-m");
        assertEquals(0, masq.exit(), masq.out() + masq.err());
        assertTrue(adm("-Ln").out().contains("  -> 10.0.0.2:8080                Masq    1 "), adm("-Ln").out());
        assertTrue(adm("-S", "-n").out().contains("-a -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 1"), adm("-S", "-n").out());
        assertEquals(0, adm("-d", "-t", "192.0.2.10:80", "-r", "10.0.0.2:8080").exit());
        // The real left (unresolved, so not present) kept its slot: listed once.
        assertEquals(1, adm("-Ln").out().lines().filter(l -> l.contains("-> 10.0.0.1:80 ")).count(), adm("-Ln").out());

        XlbRun set = adm("--set", "100", "20", "30");
        assertEquals(0, set.exit(), set.out() + set.err());
        assertEquals("Timeout (tcp tcpfin udp): 100 20 30\n", adm("-L", "--timeout").out());

        assertEquals(0, adm("-d", "-t", "192.0.2.10:80", "-r", "10.0.0.1:80").exit());
        assertEquals(0, adm("-D", "-t", "192.0.2.10:80").exit());
        assertEquals("", adm("-S", "-n").out());
    }

    @Test
    void newSchedulersFlagsAndThresholdsListSaveAndRestore() {
        List<String> scheds = List.of("sed", "nq", "fo", "ovf", "lblc", "lblcr");
        for (int i = 0; i < scheds.size(); i++) {
            assertEquals(0, adm("-A", "-t", "192.0.2." + (20 + i) + ":80", "-s", scheds.get(i)).exit());
        }
        assertEquals(0, adm("-A", "-t", "192.0.2.30:80", "-s", "sh", "-b", "sh-port,sh-fallback").exit());
        assertEquals(0, adm("-a", "-t", "192.0.2.20:80", "-r", "10.0.0.1:80", "-g", "-w", "2", "-x", "100", "-y", "50").exit());
        assertEquals(0, adm("-a", "-t", "192.0.2.30:80", "-r", "10.0.0.2:80", "-i", "-w", "1", "-x", "8").exit());
        assertEquals(0, adm("-e", "-t", "192.0.2.20:80", "-r", "10.0.0.1:80", "-x", "200").exit(), "-y stays");
        String listing = adm("-Ln").out();
        assertTrue(listing.contains("\nTCP  192.0.2.21:80 nq\n"), listing);
        assertTrue(listing.contains("\nTCP  192.0.2.30:80 sh (sh-fallback,sh-port)\n"), listing);
        String thresholds = adm("-Ln", "--thresholds").out();
        assertTrue(thresholds.contains("\n  -> 10.0.0.1:80                  200        50         0          0         \n"), thresholds);
        assertTrue(thresholds.contains("\n  -> 10.0.0.2:80                  8          0          0          0         \n"), thresholds);
        String rules = adm("-S", "-n").out();
        assertEquals("""
                -A -t 192.0.2.20:80 -s sed
                -a -t 192.0.2.20:80 -r 10.0.0.1:80 -g -w 2 -x 200 -y 50
                -A -t 192.0.2.21:80 -s nq
                -A -t 192.0.2.22:80 -s fo
                -A -t 192.0.2.23:80 -s ovf
                -A -t 192.0.2.24:80 -s lblc
                -A -t 192.0.2.25:80 -s lblcr
                -A -t 192.0.2.30:80 -s sh -b sh-fallback,sh-port
                -a -t 192.0.2.30:80 -r 10.0.0.2:80 -i -w 1 -x 8
                """, rules);
        assertEquals(0, adm("-C").exit());
        assertEquals(0, restore(rules).exit());
        assertEquals(listing, adm("-Ln").out(), "restore reproduces the listing");
        assertEquals(thresholds, adm("-Ln", "--thresholds").out());

        assertEquals(0, adm("-E", "-t", "192.0.2.30:80", "-b", "sh-port").exit(), "-E -b: the service's scheduler, these flags");
        assertTrue(adm("-Ln").out().contains("\nTCP  192.0.2.30:80 sh (sh-port)\n"));
        assertEquals(0, adm("-E", "-t", "192.0.2.30:80", "-s", "sh").exit());
        assertTrue(adm("-Ln").out().contains("\nTCP  192.0.2.30:80 sh\n"), "-E -s without -b: no flags, as ipvsadm");
        assertEquals("incompatible scheduler flag `sh-port' (for sh, not mh)",
                adm("-A", "-t", "192.0.2.40:80", "-s", "mh", "-b", "sh-port").err().strip());
        assertEquals("lower threshold 6 is above the upper threshold 5 (IPVS refuses such a real)",
                adm("-a", "-t", "192.0.2.21:80", "-r", "10.0.0.3:80", "-x", "5", "-y", "6").err().strip());
        assertEquals("Illegal 'u-threshold' option with the 'add-service' command",
                adm("-A", "-t", "192.0.2.41:80", "-s", "rr", "-x", "5").err().strip());
        assertEquals("illegal u_threshold specified", adm("-a", "-t", "192.0.2.21:80", "-r", "10.0.0.3:80", "-x", "-1").err().strip());
    }

    /**
     * NAT under every scheduler (mh with its flags), reals on other ports with thresholds, a real
     * edited from DR to NAT: listed, saved and restored as ipvsadm does.
     */
    @Test
    void natServicesOfEverySchedulerListSaveEditAndRestore() {
        List<String> scheds = List.of("rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "dh", "sh", "mh");
        for (int i = 0; i < scheds.size(); i++) {
            String vip = "192.0.2." + (50 + i) + ":80";
            List<String> add = new java.util.ArrayList<>(List.of("-A", "-t", vip, "-s", scheds.get(i)));
            if (scheds.get(i).equals("mh")) {
                add.addAll(List.of("-b", "mh-port,mh-fallback"));
            }
            assertEquals(0, adm(add.toArray(String[]::new)).exit(), add.toString());
            XlbRun real = adm("-a", "-t", vip, "-r", "10.0.9." + (11 + i) + ":8080", "-m", "-w", "2", "-x", "40", "-y", "10");
            assertEquals(0, real.exit(), real.err());
        }
        assertEquals(0, adm("-a", "-t", "192.0.2.50:80", "-r", "10.0.9.99:80", "-g", "-w", "1").exit());
        assertEquals(0, adm("-e", "-t", "192.0.2.50:80", "-r", "10.0.9.99:80", "-m", "-w", "1").exit(), "DR to NAT");
        assertEquals(0, adm("-e", "-t", "192.0.2.51:80", "-r", "10.0.9.12:8080", "-m", "-w", "5", "-x", "0", "-y", "0").exit(),
                "thresholds removed");
        String listing = adm("-Ln").out();
        assertTrue(listing.contains("""
                TCP  192.0.2.50:80 rr
                  -> 10.0.9.11:8080               Masq    2      0          0        \s
                  -> 10.0.9.99:80                 Masq    1      0          0        \s
                TCP  192.0.2.51:80 wrr
                  -> 10.0.9.12:8080               Masq    5      0          0        \s
                """), listing);
        assertTrue(listing.contains("""
                TCP  192.0.2.62:80 mh (mh-fallback,mh-port)
                  -> 10.0.9.23:8080               Masq    2      0          0        \s
                """), listing);
        String rules = adm("-S", "-n").out();
        assertTrue(rules.startsWith("""
                -A -t 192.0.2.50:80 -s rr
                -a -t 192.0.2.50:80 -r 10.0.9.11:8080 -m -w 2 -x 40 -y 10
                -a -t 192.0.2.50:80 -r 10.0.9.99:80 -m -w 1
                -A -t 192.0.2.51:80 -s wrr
                -a -t 192.0.2.51:80 -r 10.0.9.12:8080 -m -w 5
                """), rules);
        assertTrue(rules.endsWith("""
                -A -t 192.0.2.62:80 -s mh -b mh-fallback,mh-port
                -a -t 192.0.2.62:80 -r 10.0.9.23:8080 -m -w 2 -x 40 -y 10
                """), rules);
        for (String sched : scheds) {
            assertTrue(rules.contains(" -s " + sched + "\n") || rules.contains(" -s " + sched + " -b"), sched + " saved: " + rules);
        }
        String thresholds = adm("-Ln", "--thresholds").out();
        assertEquals(0, adm("-C").exit());
        assertEquals(0, restore(rules).exit());
        assertEquals(listing, adm("-Ln").out(), "restore reproduces the listing");
        assertEquals(thresholds, adm("-Ln", "--thresholds").out());
        assertEquals(rules, adm("-S", "-n").out());
    }

    @Test
    void connectionsAndZeroedCounters() {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir)) {
            dp.apply(io.xlb.dataplane.DesiredState.of(new io.xlb.dataplane.Service(
                    new io.xlb.dataplane.abi.VipKey(java.net.InetAddress.ofLiteral("192.0.2.10"), 80, io.xlb.dataplane.abi.Protocol.TCP),
                    io.xlb.dataplane.Scheduler.named("rr"), io.xlb.dataplane.abi.Method.DR, java.util.List.of(
                    io.xlb.dataplane.Real.of(java.net.InetAddress.ofLiteral("10.0.0.1"), 80, 1,
                            io.xlb.dataplane.abi.MacAddress.parse("02:00:00:00:00:01"))))));
            byte[] syn = io.xlb.testing.Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, io.xlb.testing.Frame.SYN).bytes();
            assertEquals(io.xlb.bpf.TestRunResult.XDP_TX, dp.program().testRun(syn).retval());
        }
        String conns = adm("-Lnc").out();
        assertTrue(conns.startsWith("IPVS connection entries\npro expire state       source             virtual            destination\n"), conns);
        assertTrue(conns.lines().anyMatch(l -> l.matches(
                "TCP (00:59|01:00)  SYN_RECV    198\\.51\\.100\\.7:40000 +192\\.0\\.2\\.10:80 +10\\.0\\.0\\.1:80")), conns);
        String before = adm("-Ln", "--stats").out();
        assertTrue(before.lines().anyMatch(l -> l.matches("TCP  192\\.0\\.2\\.10:80 +1 +1 +0 +\\d+ +0")), before);
        assertEquals(0, adm("-Z").exit());
        String after = adm("-Ln", "--stats").out();
        assertTrue(after.lines().anyMatch(l -> l.matches("TCP  192\\.0\\.2\\.10:80 +0 +0 +0 +0 +0")), "zeroed: " + after);
    }

    @Test
    void statusNamesTheProgramAndCountsServices() {
        adm("-A", "-t", "192.0.2.10:80", "-s", "rr");
        XlbRun status = XlbRun.withPinDir("status", pinDir);
        assertEquals(0, status.exit());
        assertTrue(status.out().contains("daemon:     not running"), status.out());
        assertTrue(status.out().contains("program xlb_director id "), status.out());
        assertTrue(status.out().contains("services:   1, reals 0"), status.out());
    }

    @Test
    void changesAreRefusedWhileADaemonManagesThePins() throws Exception {
        Path conf = Files.createTempFile("xlb", ".conf");
        try (PinLock lock = PinLock.acquire(pinDir, conf)) {
            XlbRun r = adm("-A", "-t", "192.0.2.10:80", "-s", "rr");
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("is managed by xlb daemon") && r.err().contains(conf.toString()), r.err());
            assertEquals(0, adm("-Ln").exit(), "listing works alongside a daemon");
        } finally {
            Files.deleteIfExists(conf);
        }
    }
}
