package io.xlb.config;

import io.xlb.config.Checker.Common;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The checkers of a real_server, one keyword table per kind as keepalived's check_*.c install
 * theirs, each with the connect_* keywords every kind shares.
 */
final class CheckerReader {
    /** The checker kinds, as a real_server's sub-blocks. */
    static final List<String> KINDS = List.of("TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "UDP_CHECK",
            "PING_CHECK", "DNS_CHECK", "SMTP_CHECK");

    /** connect_ip, connect_port, bindto, connect_timeout, retry, delay_before_retry, warmup. */
    private static final class CommonBuilder {
        InetAddress ip, bindto;
        Integer port, retry;
        Duration timeout, delay, warmup;

        Common build() {
            return new Common(ip, port, bindto, timeout, retry, delay, warmup);
        }
    }

    /** Whatever a checker of any kind sets; each kind's table reaches only its own part. */
    private static final class Builder {
        final CommonBuilder common = new CommonBuilder();
        final List<Checker.Url> urls = new ArrayList<>();
        final List<Common> hosts = new ArrayList<>();
        String virtualhost, miscPath, dnsType, dnsName, helo, udpPayload, replyData;
        Duration miscTimeout;
        boolean miscDynamic, requireReply;
        Integer minReply, maxReply;
    }

    private static final class UrlBuilder {
        String path, digest;
        Integer status;
    }

    private record Kind(KeywordTable<Builder> table, BiFunction<Builder, Node, Checker> build) {
    }

    private final Diagnostics d;
    private final KeywordTable<CommonBuilder> hostTable;
    private final KeywordTable<UrlBuilder> urlTable;
    private final Map<String, Kind> kinds;

    CheckerReader(Diagnostics d) {
        this.d = d;
        this.hostTable = common("host");
        this.urlTable = new KeywordTable<UrlBuilder>("url", d)
                .word("path", "a path", (b, x) -> b.path = x)
                .keyword("digest", 1, (b, n, v) -> {
                    b.digest = v.word(0, "an MD5 digest");
                    if (b.digest != null && !b.digest.matches("[0-9a-fA-F]{32}")) {
                        d.error(v.pos(0), "digest must be 32 hexadecimal digits (MD5), got '" + b.digest + "'");
                        b.digest = null;
                    }
                })
                .integer("status_code", 100, 599, "an HTTP status", (b, x) -> b.status = x);
        this.kinds = Map.of(
                "TCP_CHECK", new Kind(kind("TCP_CHECK"), (b, n) -> new Checker.TcpCheck(b.common.build(), n.pos())),
                "HTTP_GET", http("HTTP_GET"),
                "SSL_GET", http("SSL_GET"),
                "MISC_CHECK", new Kind(kind("MISC_CHECK")
                        .command("misc_path", (b, x) -> b.miscPath = x)
                        .seconds("misc_timeout", false, (b, x) -> b.miscTimeout = x)
                        .flag("misc_dynamic", b -> b.miscDynamic = true),
                        (b, n) -> {
                            if (b.miscPath == null) {
                                d.error(n.pos(), "MISC_CHECK needs misc_path");
                            }
                            return new Checker.MiscCheck(b.common.build(), b.miscPath, b.miscTimeout, b.miscDynamic, n.pos());
                        }),
                "UDP_CHECK", new Kind(kind("UDP_CHECK")
                        .keyword("payload", 1, (b, n, v) -> b.udpPayload = hex(v))
                        .keyword("require_reply", 1, (b, n, v) -> {
                            b.requireReply = true;
                            b.replyData = v.count() > 0 ? hex(v) : null;
                        })
                        .integer("min_reply_length", 0, 65535, "a length", (b, x) -> b.minReply = x)
                        .integer("max_reply_length", 0, 65535, "a length", (b, x) -> b.maxReply = x),
                        (b, n) -> new Checker.UdpCheck(b.common.build(), b.udpPayload, b.requireReply, b.replyData,
                                b.minReply, b.maxReply, n.pos())),
                "PING_CHECK", new Kind(kind("PING_CHECK"), (b, n) -> new Checker.PingCheck(b.common.build(), n.pos())),
                "DNS_CHECK", new Kind(kind("DNS_CHECK")
                        .oneOf("type", Set.of("A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"), "DNS type", (b, x) -> b.dnsType = x)
                        .word("name", "a domain name", (b, x) -> b.dnsName = x),
                        (b, n) -> new Checker.DnsCheck(b.common.build(), b.dnsType != null ? b.dnsType : "SOA",
                                b.dnsName != null ? b.dnsName : ".", n.pos())),
                "SMTP_CHECK", new Kind(kind("SMTP_CHECK")
                        .word("helo_name", "a name", (b, x) -> b.helo = x)
                        .block("host", (b, n, v) -> {
                            CommonBuilder h = hostTable.readBlock(n, CommonBuilder::new);
                            if (h != null) {
                                b.hosts.add(h.build());
                            }
                        }),
                        (b, n) -> new Checker.SmtpCheck(b.common.build(), b.helo, b.hosts, n.pos())));
    }

    /** HTTP_GET or SSL_GET: its urls and virtualhost. */
    private Kind http(String name) {
        return new Kind(kind(name)
                .block("url", (b, n, v) -> KeywordTable.add(b.urls, url(n)))
                .word("virtualhost", "a host name", (b, x) -> b.virtualhost = x),
                (b, n) -> {
                    if (b.urls.isEmpty()) {
                        d.error(n.pos(), name + " needs at least one url { path ... }");
                    }
                    return new Checker.HttpCheck(name.equals("SSL_GET"), b.common.build(), b.urls, b.virtualhost, n.pos());
                });
    }

    /** The keywords every checker has, in a table of their own (a kind's, or SMTP_CHECK's host). */
    private KeywordTable<CommonBuilder> common(String where) {
        return new KeywordTable<CommonBuilder>(where, d)
                .address("connect_ip", (b, x) -> b.ip = x)
                .port("connect_port", (b, x) -> b.port = x)
                .address("bindto", (b, x) -> b.bindto = x)
                .seconds("connect_timeout", false, (b, x) -> b.timeout = x)
                .integer("retry", 0, 1000, "a count", (b, x) -> b.retry = x)
                .keyword("nb_get_retry", 1, (b, n, v) -> b.retry = nbGetRetry(n, v, 0, d))
                .seconds("delay_before_retry", true, (b, x) -> b.delay = x)
                .seconds("warmup", true, (b, x) -> b.warmup = x);
    }

    /** A kind's table: the common keywords; url and host blocks of other kinds are only unknown. */
    private KeywordTable<Builder> kind(String name) {
        return new KeywordTable<Builder>(name, d)
                .include(common(name), b -> b.common)
                .unknownMayHaveBlock(k -> k.equals("url") || k.equals("host"));
    }

    /** nb_get_retry: the old name of retry, read as that with a warning. */
    static Integer nbGetRetry(Node n, Values v, int min, Diagnostics d) {
        d.warning(n.pos(), "nb_get_retry is the old name of retry (keepalived -t rejects it): read as retry");
        return v.integer(0, min, 1000, "a count");
    }

    Checker read(Node n) {
        new Values(n, d).noMoreThan(0);
        Kind kind = kinds.get(n.keyword());
        Builder b = kind.table().readBlock(n, Builder::new);
        return b == null ? null : kind.build().apply(b, n);
    }

    /** Hex digits (keepalived's payload and require_reply data), an even count of them. */
    private String hex(Values v) {
        String text = v.word(0, "hex digits");
        if (text == null) {
            return null;
        }
        if (!text.matches("(?i)([0-9a-f]{2})+")) {
            d.error(v.pos(0), "expected hex digits, two a byte, got '" + text + "'");
            return null;
        }
        return text.toLowerCase(Locale.ROOT);
    }

    private Checker.Url url(Node n) {
        UrlBuilder b = urlTable.readBlock(n, UrlBuilder::new);
        if (b == null) {
            return null;
        }
        if (b.path == null) {
            d.error(n.pos(), "url needs a path");
            return null;
        }
        return new Checker.Url(b.path, b.digest, b.status);
    }
}
