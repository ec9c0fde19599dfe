package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.Dataplane.ServiceView;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import io.xlb.lab.XlbDaemon;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fixture of the lab tests that run one {@code xlb daemon}: a {@link Lab} and the daemon's own
 * pin directory. {@link #close()} closes the lab (processes, namespaces, scratch) and then flushes
 * the pins, whatever failed before; a test class calls it from its {@code @AfterAll}, which JUnit
 * runs after failed tests and after a failed {@code @BeforeAll} too. Closing twice is harmless.
 */
final class DirectorLab implements AutoCloseable {
    private final Lab lab = new Lab("xlbt");
    private final Path pinDir;

    /** {@code name} tells this test's pins from other runs' ({@link XlbDaemon#pinDir}). */
    DirectorLab(String name) {
        pinDir = XlbDaemon.pinDir("xlbt", name);
        // Owned first, so closed after everything started later: the daemon holding the pins is gone by then.
        lab.own(() -> Daemon.flush(pinDir));
    }

    Lab lab() {
        return lab;
    }

    Path pinDir() {
        return pinDir;
    }

    /**
     * The {@code xlb daemon} of {@code config} on this lab's pins, to start with {@link XlbDaemon#start}.
     * Up within 90 s: under load (a shared machine) loading and attaching the director can take longer
     * than XlbDaemon's default 30 s.
     */
    XlbDaemon daemon(Path config) {
        return XlbDaemon.of(Xlb.class, config, pinDir).readyWhenLogged(XlbDaemon.RUNNING, Duration.ofSeconds(90));
    }

    /**
     * rs1 and rs2 of the tutorial's {@code lan} ({@link Lan#tutorial}) as DR reals of {@code vip} (the
     * realserver script's step) and of {@code moreVips} (on their lo too), each serving nginx: its process by real.
     */
    Map<String, BackgroundProcess> tutorialReals(Lan lan, String vip, String... moreVips) {
        Map<String, BackgroundProcess> nginx = new LinkedHashMap<>();
        for (String rs : List.of("rs1", "rs2")) {
            RealServerStep.apply(lan.host(rs), vip);
            for (String more : moreVips) {
                lan.host(rs).ns().exec("ip", "addr", "add", more + "/32", "dev", "lo");
            }
            nginx.put(rs, Nginx.start(lab, lan.host(rs)));
        }
        return nginx;
    }

    /** The tutorial's keepalived.conf, its addresses moved from 10.77.1.0/24 to {@code subnet}. */
    static String tutorialConfig(String subnet) throws IOException {
        return LabCommand.Demo.tutorialConfig().replace("10.77.1.", subnet + ".");
    }

    /**
     * The same, its VRRP instance holding {@code apiVip} beside {@code vip}: no hand-written
     * virtual_server serves it, the API's services do, in the managed files the main file includes.
     */
    static String tutorialConfigWithApiVip(String subnet, String vip, String apiVip) throws IOException {
        String text = tutorialConfig(subnet).replaceFirst("(" + vip.replace(".", "\\.") + ")(\\s)", "$1\n        " + apiVip + "$2");
        return text + "\ninclude xlb-api.d/*.conf\n";
    }

    /** What {@code xlb adm -Ln} lists now. */
    String ipvsList() {
        return ipvs(IpvsListing::list);
    }

    /** One of {@link IpvsListing}'s listings, as a function of the services and the connection table's size. */
    interface Listing {
        String of(List<ServiceView> services, long size);
    }

    /** {@code listing} of the running dataplane. */
    String ipvs(Listing listing) {
        return adopted(dp -> listing.of(dp.view(), dp.map("conns").info().maxEntries()));
    }

    /** What {@code read} finds in the running dataplane, adopted from the pins for the call (as {@code xlb adm} does). */
    <T> T adopted(Function<Dataplane, T> read) {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir)) {
            return read.apply(dp);
        }
    }

    /** The director's switch port on {@code lan} passes what the daemon sends ({@link LabCommand.Demo#passOnSwitchPort}). */
    void passOnSwitchPort(Lan lan) throws Exception {
        LabCommand.Demo.passOnSwitchPort(lan, pinDir);
    }

    /** The same for {@code host}'s port on {@code lan} (a two-armed director's inside leg). */
    void passOnSwitchPort(Lan lan, Lan.Host host) throws Exception {
        LabCommand.Demo.passOnSwitchPort(lan, host, pinDir);
    }

    @Override
    public void close() {
        lab.close();
    }
}
