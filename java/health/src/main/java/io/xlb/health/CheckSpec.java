package io.xlb.health;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** What to check on a real server, one variant per checker kind implemented. */
public sealed interface CheckSpec {
    /** TCP_CHECK: a connection is accepted within the timeout. */
    record Tcp(String host, int port, Duration connectTimeout) implements CheckSpec {}

    /**
     * HTTP_GET / SSL_GET: every url answers with an accepted status (and body digest, when given).
     * Certificates are not verified, as keepalived does not.
     */
    record Http(String host, int port, boolean ssl, List<Url> urls, String virtualhost, Duration connectTimeout)
            implements CheckSpec {
        public Http {
            urls = List.copyOf(urls);
        }
    }

    /** A url of an HTTP check; {@code statuses} empty means any 2xx; {@code digest} null means not checked. */
    record Url(String path, Set<Integer> statuses, String digest) {
        public Url {
            statuses = Set.copyOf(statuses);
        }
    }
}
