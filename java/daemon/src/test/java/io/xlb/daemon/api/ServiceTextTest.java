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
