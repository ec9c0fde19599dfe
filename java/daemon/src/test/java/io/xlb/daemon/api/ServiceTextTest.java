package io.xlb.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xlb.config.Addresses;
import io.xlb.config.ConfigParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A spec rendered as keepalived.conf and parsed back is the same spec; keys parse and print alike. */
class ServiceTextTest {
    @Test
    void renderedTextParsesBackToTheSameSpec() {
        ServiceSpec spec = new ServiceSpec(ServiceKey.parse("udp:[2001:db8::10]:53"), "mh", "tun", 300, 2, List.of(
                new ServiceSpec.RealSpec(Addresses.parse("2001:db8::11"), 53, 5, new ServiceSpec.Tcp(5353, 2)),
                new ServiceSpec.RealSpec(Addresses.parse("2001:db8::12"), 8053, 0, new ServiceSpec.Http("/health?x=1", 204, null, null)),
                new ServiceSpec.RealSpec(Addresses.parse("2001:db8::13"), 53, 1, new ServiceSpec.None())));
        ServiceText text = ServiceText.render(spec);
        ConfigParser.Result parsed = ConfigParser.parse("svc.conf", text.text());
        assertFalse(parsed.hasErrors(false), parsed.diagnostics().toString());
        assertEquals(spec, ServiceText.read(parsed.config().virtualServers().getFirst()));
        assertEquals("/reals/1/check/statusCode", text.pointer(text.text().lines().toList().indexOf("                status_code 204") + 1));
    }

    @Test
    void schedulerFlagsAndThresholdsRenderAsKeepalivedsKeywordsAndParseBack() {
        ServiceSpec spec = new ServiceSpec(ServiceKey.parse("tcp:192.0.2.10:80"), "sh", List.of("sh-fallback", "sh-port"), "nat", null, 60,
                List.of(new ServiceSpec.RealSpec(Addresses.parse("10.0.0.11"), 8080, 1, 100, 50, new ServiceSpec.None()),
                        new ServiceSpec.RealSpec(Addresses.parse("10.0.0.12"), 8080, 2, 10, null, new ServiceSpec.None())));
        ServiceText text = ServiceText.render(spec);
        List<String> lines = text.text().lines().toList();
        assertEquals(List.of("    lb_algo sh", "    sh-fallback", "    sh-port", "    lb_kind NAT"),
                lines.subList(lines.indexOf("    lb_algo sh"), lines.indexOf("    lb_algo sh") + 4));
        assertEquals("/schedulerFlags/1", text.pointer(lines.indexOf("    sh-port") + 1));
        assertEquals("/reals/0/upperThreshold", text.pointer(lines.indexOf("        uthreshold 100") + 1));
        assertEquals("/reals/0/lowerThreshold", text.pointer(lines.indexOf("        lthreshold 50") + 1));
        ConfigParser.Result parsed = ConfigParser.parse("svc.conf", text.text());
        assertFalse(parsed.hasErrors(false), parsed.diagnostics().toString());
        assertEquals(List.of(), parsed.diagnostics(), "no warning either");
        assertEquals(spec, ServiceText.read(parsed.config().virtualServers().getFirst()));

        ServiceSpec mh = new ServiceSpec(ServiceKey.parse("udp:192.0.2.10:53"), "mh", List.of("mh-port"), "dr", null, 60, List.of());
        assertEquals(mh, ServiceText.read(ConfigParser.parse("svc.conf", ServiceText.render(mh).text()).config().virtualServers().getFirst()));
    }

    @Test
    void keysAreNaturalAndStrict() {
        assertEquals("tcp:192.0.2.10:80", ServiceKey.parse("TCP:192.0.2.10:80").toString());
        assertEquals("udp:[2001:db8::1]:53", ServiceKey.parse("udp:[2001:0db8:0::1]:53").toString());
        assertEquals("udp_2001-db8--1_53.conf", ServiceKey.parse("udp:[2001:db8::1]:53").fileName());
        for (String bad : List.of("tcp:2001:db8::1:80", "tcp:[192.0.2.1]:80", "icmp:192.0.2.1:80", "tcp:192.0.2.1", "tcp:192.0.2.1:0",
                "tcp:192.0.2.1:65536", "tcp:host:80", "tcp:192.0.2.1:8O", "tcp:[2001:db8::1]80")) {
            assertEquals(404, assertThrows(ApiProblem.class, () -> ServiceKey.parse(bad), bad).status(), bad);
        }
    }
}
