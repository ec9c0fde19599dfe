package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.dataplane.MapSizes;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tier 3: a running daemon gets reloads whose global_defs asks for other map sizes than its maps
 * have. Each is refused (xlb reload exits 1, the daemon logs it) at the xlb_max_* keyword asking, or
 * at the file when the file stopped naming the size; the running configuration stays applied and
 * listed as it was; a later reload with the maps' sizes and another change is taken.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "bash"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MapSizesReloadLabTest {
    private static final String SUBNET = "10.77.12";
    private static final String VIP = SUBNET + ".200";
    private static final int SERVICES = 2048;
    private final DirectorLab directorLab = new DirectorLab("sizes");
    private final Lab lab = directorLab.lab();
    private final Path pinDir = directorLab.pinDir();
    private Lan lan;
    private Path conf;
    private BackgroundProcess daemon;

    @BeforeAll
    void build() throws Exception {
        lan = Lan.tutorial(lab, SUBNET);
        directorLab.tutorialReals(lan, VIP);
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, config("   xlb_max_services " + SERVICES + "\n", 3));
        daemon = directorLab.daemon(conf).start(lab, lan.host("director").ns(), "daemon");
        directorLab.passOnSwitchPort(lan);
        await(Duration.ofSeconds(30), () -> requests(1).stream().anyMatch(b -> b.equals("rs1") || b.equals("rs2")));
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    /** The tutorial's file with {@code sizes} at the top of its global_defs (line 2) and rs1's weight. */
    private static String config(String sizes, int rs1Weight) throws Exception {
        String text = DirectorLab.tutorialConfig(SUBNET);
        text = text.replaceFirst("global_defs \\{\n", "global_defs {\n" + sizes.replace("$", "\\$"));
        return text.replaceFirst("weight 3", "weight " + rs1Weight);
    }

    private List<String> requests(int n) {
        String out = lan.host("client").ns().command("bash", "-c",
                "for i in $(seq " + n + "); do curl -sS --max-time 3 http://" + VIP + "/ || echo FAIL; done")
                .withTimeout(Duration.ofMinutes(3)).run();
        return out.lines().map(String::strip).toList();
    }

    /** What xlb adm -Ln lists, without the connection counts; and the sizes of the maps. */
    private String listing() {
        assertEquals(Integer.valueOf(SERVICES), directorLab.adopted(dp -> dp.sizes().services()), "the maps are those the daemon created");
        return directorLab.ipvsList().replaceAll(" +\\d+ +\\d+ +\n", "\n");
    }

    private XlbRun refused(String file, String expected) throws Exception {
        Files.writeString(conf, file);
        XlbRun r = XlbRun.withPinDir("reload", pinDir);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("refused the file and keeps running the previous configuration"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.strip().startsWith(expected)), expected + "\n" + r.err());
        assertTrue(r.err().contains("map sizes are fixed when the maps are created; a reload cannot change them"), r.err());
        await(Duration.ofSeconds(10), () -> daemon.log().contains(expected));
        return r;
    }

    @Test
    void aReloadAskingForOtherMapSizesIsRefusedAtTheKeywordAndTheRunningConfigurationStays() throws Exception {
        await(Duration.ofSeconds(10), () -> listing().matches("(?s).*\\.130:80 +Route +3\\s.*"));
        String before = listing();

        // Another size, and another weight: neither is taken.
        refused(config("   xlb_max_services 4096\n", 1),
                conf + ":2:4: error: xlb_max_services 4096: the maps hold " + SERVICES + " services;");
        assertEquals(before, listing(), "the running configuration stays");
        // Two sizes asked: an error at each keyword (the reals' default is 16 384).
        XlbRun two = refused(config("   xlb_max_services 4096\n   xlb_max_reals 100\n", 3),
                conf + ":2:4: error: xlb_max_services 4096:");
        assertTrue(two.err().contains(conf + ":3:4: error: xlb_max_reals 100: the maps hold " + MapSizes.DEFAULTS.reals()
                + " reals;"), two.err());
        // The size no longer named: the default (1 024) would apply; refused at the file.
        refused(config("", 3), conf + ": error: the maps hold " + SERVICES + " services and this file asks for "
                + MapSizes.DEFAULTS.services() + " (it sets no xlb_max_services");
        assertEquals(before, listing(), "the running configuration stays");
        List<String> bodies = requests(10);
        assertEquals(0, bodies.stream().filter(b -> b.startsWith("FAIL")).count(), bodies.toString());

        // The maps' sizes again, with another weight: taken.
        Files.writeString(conf, config("   xlb_max_services " + SERVICES + "\n", 1));
        XlbRun ok = XlbRun.withPinDir("reload", pinDir);
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().contains("reloaded:") && ok.out().contains("~ virtual_server"), ok.out());
        await(Duration.ofSeconds(10), () -> listing().matches("(?s).*\\.130:80 +Route +1\\s.*"));
        assertTrue(listing().matches("(?s).*\\.131:80 +Route +3\\s.*"), listing());
    }
}
