package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.config.ConfigParser;
import io.xlb.health.CheckSpec;
import io.xlb.health.Timing;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tier 1: checkers of a keepalived.conf with keepalived's defaults. */
class HealthPlanTest {
    @Test
    void everyCheckerKindWithItsDefaults() {
        var config = ConfigParser.parse("t.conf", """
                virtual_server 192.0.2.10 80 {
                    delay_loop 6
                    lb_kind DR
                    protocol TCP
                    retry 2
                    alpha
                    inhibit_on_failure
                    real_server 10.0.0.1 80 {
                        TCP_CHECK {
                            connect_timeout 10
                            delay_before_retry 3
                        }
                        HTTP_GET {
                            url {
                                path /health
                                status_code 204
                            }
                        }
                        UDP_CHECK {
                            connect_port 7
                        }
                        PING_CHECK {
                        }
                        DNS_CHECK {
                            type A
                            name example.com
                        }
                        SMTP_CHECK {
                            helo_name lb
                        }
                        MISC_CHECK {
                            misc_path "/bin/true"
                        }
                    }
                }
                """).valid(false);
        HealthPlan.Result r = HealthPlan.of(config);
        assertTrue(r.diagnostics().isEmpty(), r.diagnostics().toString());
        HealthPlan.Entry e = r.entries().get(new HealthPlan.RealId("192.0.2.10", 80, "TCP", "10.0.0.1", 80));
        Duration five = Duration.ofSeconds(5);
        assertEquals(List.of(
                new CheckSpec.Tcp("10.0.0.1", 80, Duration.ofSeconds(10)),
                new CheckSpec.Http("10.0.0.1", 80, false, List.of(new CheckSpec.Url("/health", Set.of(204), null)), null, five),
                new CheckSpec.Ping("10.0.0.1", five),
                new CheckSpec.Dns("10.0.0.1", 53, "A", "example.com", five),
                new CheckSpec.Smtp("10.0.0.1", 25, "lb", five),
                new CheckSpec.Misc("/bin/true", Duration.ofSeconds(6), false)),
                e.checks().stream().filter(c -> !(c instanceof CheckSpec.Udp)).toList());
        CheckSpec.Udp udp = (CheckSpec.Udp) e.checks().get(2);
        assertEquals(7, udp.port());
        assertEquals(new Timing(Duration.ofSeconds(6), 2, Duration.ofSeconds(3), Duration.ofSeconds(6)), e.timing(),
                "retry from the service, delay_before_retry from the first checker, warmup keepalived's default: the delay_loop");
        assertEquals(false, e.startUp(), "alpha");
        assertEquals(true, e.inhibitOnFailure());
    }
}
