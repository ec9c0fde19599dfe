package io.xlb.health;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What to check on a real server, one variant per checker kind implemented. {@code bindto}, where
 * present, is the source address of the check (keepalived's bindto); null: the kernel's choice.
 */
public sealed interface CheckSpec {
    /** TCP_CHECK: a connection is accepted within the timeout. */
    record Tcp(String host, int port, Duration connectTimeout, String bindto) implements CheckSpec {
        public Tcp(String host, int port, Duration connectTimeout) {
            this(host, port, connectTimeout, null);
        }
    }

    /**
     * HTTP_GET / SSL_GET: every url answers with an accepted status (and body digest, when given).
     * Certificates are not verified, as keepalived does not.
     */
    record Http(String host, int port, boolean ssl, List<Url> urls, String virtualhost, Duration connectTimeout,
                String bindto) implements CheckSpec {
        public Http {
            urls = List.copyOf(urls);
        }

        public Http(String host, int port, boolean ssl, List<Url> urls, String virtualhost, Duration connectTimeout) {
            this(host, port, ssl, urls, virtualhost, connectTimeout, null);
        }
    }

    /** A url of an HTTP check; {@code statuses} empty means any 2xx; {@code digest} null means not checked. */
    record Url(String path, Set<Integer> statuses, String digest) {
        public Url {
            statuses = Set.copyOf(statuses);
        }
    }

    /**
     * UDP_CHECK: a datagram sent; a reply, or silence, passes; an ICMP port unreachable fails. With
     * {@code reply} silence fails too, and the reply must meet it.
     */
    record Udp(String host, int port, byte[] payload, Duration connectTimeout, String bindto, Reply reply) implements CheckSpec {
        public Udp(String host, int port, byte[] payload, Duration connectTimeout) {
            this(host, port, payload, connectTimeout, null, null);
        }

        public Udp(String host, int port, byte[] payload, Duration connectTimeout, String bindto) {
            this(host, port, payload, connectTimeout, bindto, null);
        }
    }

    /** require_reply: the reply's first bytes ({@code prefix}, may be empty) and its length bounds (null: none). */
    record Reply(byte[] prefix, Integer minLength, Integer maxLength) {}

    /** PING_CHECK: an ICMP echo answered within the timeout. */
    record Ping(String host, Duration connectTimeout, String bindto) implements CheckSpec {
        public Ping(String host, Duration connectTimeout) {
            this(host, connectTimeout, null);
        }
    }

    /** DNS_CHECK: a query of {@code type} for {@code name} answered with NOERROR. */
    record Dns(String host, int port, String type, String name, Duration connectTimeout, String bindto) implements CheckSpec {
        public Dns(String host, int port, String type, String name, Duration connectTimeout) {
            this(host, port, type, name, connectTimeout, null);
        }
    }

    /** SMTP_CHECK: a 220 banner, then 250 to HELO {@code heloName}. */
    record Smtp(String host, int port, String heloName, Duration connectTimeout, String bindto) implements CheckSpec {
        public Smtp(String host, int port, String heloName, Duration connectTimeout) {
            this(host, port, heloName, connectTimeout, null);
        }
    }

    /** MISC_CHECK: a command exiting 0 within the timeout (misc_dynamic: 2..255 also pass). */
    record Misc(String command, Duration timeout, boolean dynamic, ScriptCommand runAs) implements CheckSpec {
        public Misc(String command, Duration timeout, boolean dynamic) {
            this(command, timeout, dynamic, ScriptCommand.AS_DAEMON);
        }
    }
}
