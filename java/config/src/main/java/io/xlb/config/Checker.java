package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** A health checker of a real server, one record per keepalived checker kind. */
public sealed interface Checker extends Model {
    Common common();

    /** What every checker has: where to connect, timeouts and retries (null: the defaults). */
    record Common(InetAddress connectIp, Integer connectPort, InetAddress bindto, Duration connectTimeout, Integer retry,
                  Duration delayBeforeRetry, Duration warmup) {
        static final Common NONE = new Common(null, null, null, null, null, null, null);
        /** Nothing set: every default applies. */
        public static final Common NONE_VALUE = NONE;
    }

    record TcpCheck(Common common, SourcePos pos) implements Checker {}

    /** HTTP_GET, or SSL_GET with {@code ssl}. */
    record HttpCheck(boolean ssl, Common common, List<Url> urls, String virtualhost, SourcePos pos) implements Checker {
        public HttpCheck {
            urls = List.copyOf(urls);
        }
    }

    record Url(String path, String digest, Integer statusCode) {}

    record MiscCheck(Common common, String path, Duration timeout, boolean dynamic, SourcePos pos) implements Checker {}

    /**
     * UDP_CHECK: {@code payload} sent (hex; empty when absent); {@code requireReply} a reply must come,
     * starting with {@code replyData} when given; its length within the bounds when given.
     */
    record UdpCheck(Common common, String payload, boolean requireReply, String replyData, Integer minReplyLength,
                    Integer maxReplyLength, SourcePos pos) implements Checker {}

    record PingCheck(Common common, SourcePos pos) implements Checker {}

    record DnsCheck(Common common, String type, String name, SourcePos pos) implements Checker {}

    record SmtpCheck(Common common, String heloName, List<Common> hosts, SourcePos pos) implements Checker {
        public SmtpCheck {
            hosts = List.copyOf(hosts);
        }
    }
}
