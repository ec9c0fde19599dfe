package io.xlb.daemon;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.xlb.config.GlobalDefs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * keepalived's {@code smtp_alert}: one mail per event, to global_defs' notification_email through
 * its smtp_server, subject prefixed with the router_id. Sent on Vert.x's event loop and not
 * waited for: a slow or absent mail server never holds up a failover. Without a server or a
 * recipient, nothing is sent (as keepalived).
 */
final class AlertMail implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    private static final int SMTP_PORT = 25;
    private static final Duration SMTP_CONNECT_TIMEOUT = Duration.ofSeconds(30); // keepalived's default

    /** What a mail says: keepalived's subject (after "[router_id] ") and one-line body. */
    record Alert(String subject, String body) {
        /** A real went up or down. */
        static Alert real(HealthPlan.RealId id, boolean up, String reason) {
            return new Alert("Realserver " + trio(id.address(), id.protocol(), id.port()) + " of virtual server "
                    + trio(id.vipAddress(), id.protocol(), id.vipPort()) + " - " + (up ? "UP" : "DOWN"),
                    up ? "=> CHECK succeed on service <=" : "=> CHECK failed on service : " + reason + " <=");
        }

        /** A service lost or regained its quorum. */
        static Alert quorum(io.xlb.dataplane.abi.VipKey vip, boolean held) {
            return new Alert("Virtualserver " + trio(vip.address().getHostAddress(), vip.protocol().name(), vip.port())
                    + " - " + (held ? "UP" : "DOWN"), held ? "=> Gained quorum <=" : "=> Lost quorum <=");
        }

        /** A VRRP instance entered {@code state} (MASTER, BACKUP, FAULT). */
        static Alert vrrp(String instance, String state) {
            return new Alert("VRRP Instance " + instance + " - Entering " + state + " state", switch (state) {
                case "MASTER" -> "=> VRRP Instance is now owning VRRP VIPs <=";
                case "BACKUP" -> "=> VRRP Instance is no longer owning VRRP VIPs <=";
                default -> "=> VRRP Instance is in " + state + " state <=";
            });
        }

        /** A vrrp_sync_group entered {@code state}. */
        static Alert vrrpGroup(String group, String state) {
            return new Alert("VRRP Group " + group + " - Entering " + state + " state",
                    "=> All VRRP group instances are now in " + state + " state <=");
        }

        /** keepalived's "[address]:proto:port". */
        private static String trio(String address, String protocol, int port) {
            return "[" + address + "]:" + protocol.toLowerCase(java.util.Locale.ROOT) + ":" + port;
        }
    }

    private final MailClient client;
    private final String routerId;
    private final String from;
    private final List<String> to;

    private AlertMail(MailClient client, String routerId, String from, List<String> to) {
        this.client = client;
        this.routerId = routerId;
        this.from = from;
        this.to = List.copyOf(to);
    }

    static AlertMail of(Vertx vertx, GlobalDefs g) {
        String host = localName();
        if (g.smtpServer() == null || g.notificationEmail().isEmpty()) {
            return new AlertMail(null, null, null, List.of());
        }
        MailConfig config = new MailConfig().setHostname(io.xlb.config.Addresses.text(g.smtpServer()))
                .setPort(g.smtpPort() != null ? g.smtpPort() : SMTP_PORT)
                .setStarttls(StartTLSOptions.DISABLED).setLogin(LoginOption.DISABLED)
                .setOwnHostname(g.smtpHeloName() != null ? g.smtpHeloName() : host)
                .setKeepAlive(false)
                .setConnectTimeout((int) (g.smtpConnectTimeout() != null ? g.smtpConnectTimeout() : SMTP_CONNECT_TIMEOUT).toMillis());
        return new AlertMail(MailClient.create(vertx, config), g.routerId() != null ? g.routerId() : host,
                g.notificationEmailFrom() != null ? g.notificationEmailFrom() : "xlb@" + host, g.notificationEmail());
    }

    boolean enabled() {
        return client != null;
    }

    /** Sends {@code alert}; the future fails only for tests to see why (the failure is logged). */
    Future<Void> send(Alert alert) {
        if (client == null) {
            return Future.succeededFuture();
        }
        MailMessage m = new MailMessage().setFrom(from).setTo(to).setSubject("[" + routerId + "] " + alert.subject())
                .setText(alert.body());
        m.addHeader("X-Mailer", "xlb");
        return client.sendMail(m).<Void>mapEmpty().onFailure(e -> LOG.log(System.Logger.Level.WARNING,
                "smtp_alert ''{0}'' not sent: {1}", alert.subject(), e.getMessage()));
    }

    private static String localName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
