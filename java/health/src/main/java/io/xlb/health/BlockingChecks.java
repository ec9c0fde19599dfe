package io.xlb.health;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The checkers whose protocol is simplest to speak with blocking calls: run on Vert.x's worker
 * pool (see {@link Checks}), each bounded by its timeout. Each returns null when the real passed,
 * else why not.
 */
final class BlockingChecks {
    private BlockingChecks() {}

    /** A datagram channel from {@code bindto} (any address when null). */
    private static DatagramChannel datagram(String bindto) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        if (bindto != null) {
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral(bindto), 0));
        }
        return ch;
    }

    static String udp(CheckSpec.Udp spec) throws IOException {
        try (DatagramChannel ch = datagram(spec.bindto()); Selector sel = Selector.open()) {
            ch.connect(new InetSocketAddress(InetAddress.ofLiteral(spec.host()), spec.port()));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ch.write(ByteBuffer.wrap(spec.payload()));
            String where = "UDP " + spec.host() + ":" + spec.port();
            if (sel.select(spec.connectTimeout().toMillis()) == 0) {
                // Silence: nothing said the port is closed, unless a reply is required.
                return spec.reply() == null ? null : where + ": no reply within " + spec.connectTimeout().toMillis() + " ms";
            }
            ByteBuffer reply = ByteBuffer.allocate(MAX_UDP_REPLY);
            try {
                ch.read(reply);
            } catch (PortUnreachableException e) {
                return where + ": port unreachable";
            }
            return spec.reply() == null ? null : replyProblem(where, spec.reply(), java.util.Arrays.copyOf(reply.array(), reply.position()));
        }
    }

    private static final int MAX_UDP_REPLY = 65535;

    private static String replyProblem(String where, CheckSpec.Reply want, byte[] got) {
        if (want.minLength() != null && got.length < want.minLength() || want.maxLength() != null && got.length > want.maxLength()) {
            return where + ": reply of " + got.length + " bytes, expected " + (want.minLength() != null ? want.minLength() : 0)
                    + ".." + (want.maxLength() != null ? want.maxLength() : MAX_UDP_REPLY);
        }
        if (got.length < want.prefix().length
                || !java.util.Arrays.equals(java.util.Arrays.copyOf(got, want.prefix().length), want.prefix())) {
            return where + ": reply does not start with " + java.util.HexFormat.of().formatHex(want.prefix());
        }
        return null;
    }

    static String ping(CheckSpec.Ping spec) throws IOException {
        // As root the JDK sends a real ICMP echo (raw socket); otherwise it would try TCP port 7.
        // bindto: the echo leaves from the interface holding that address.
        java.net.NetworkInterface from = spec.bindto() == null ? null
                : java.net.NetworkInterface.getByInetAddress(InetAddress.ofLiteral(spec.bindto()));
        if (spec.bindto() != null && from == null) {
            return "bindto " + spec.bindto() + " is not an address of this host";
        }
        return InetAddress.ofLiteral(spec.host()).isReachable(from, 0, (int) spec.connectTimeout().toMillis()) ? null
                : "no ICMP echo reply from " + spec.host() + " within " + spec.connectTimeout().toMillis() + " ms";
    }

    private static final Map<String, Integer> DNS_TYPES = Map.of("A", 1, "NS", 2, "CNAME", 5, "SOA", 6, "MX", 15,
            "TXT", 16, "AAAA", 28);

    static String dns(CheckSpec.Dns spec) throws IOException {
        int id = (int) (System.nanoTime() & 0xffff);
        ByteBuffer q = ByteBuffer.allocate(512);
        q.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : spec.name().split("\\.")) {
            if (!label.isEmpty()) {
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                q.put((byte) l.length).put(l);
            }
        }
        q.put((byte) 0).putShort((short) (int) DNS_TYPES.getOrDefault(spec.type(), 6)).putShort((short) 1);
        q.flip();
        try (DatagramChannel ch = datagram(spec.bindto()); Selector sel = Selector.open()) {
            ch.connect(new InetSocketAddress(InetAddress.ofLiteral(spec.host()), spec.port()));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ch.write(q);
            if (sel.select(spec.connectTimeout().toMillis()) == 0) {
                return "no DNS answer from " + spec.host() + ":" + spec.port() + " within " + spec.connectTimeout().toMillis() + " ms";
            }
            ByteBuffer a = ByteBuffer.allocate(4096);
            try {
                ch.read(a);
            } catch (PortUnreachableException e) {
                return "DNS " + spec.host() + ":" + spec.port() + ": port unreachable";
            }
            a.flip();
            if (a.remaining() < 12 || (a.getShort(0) & 0xffff) != id) {
                return "DNS answer malformed or of another query";
            }
            int rcode = a.getShort(2) & 0x000f;
            return rcode == 0 ? null : "DNS answer for " + spec.name() + " " + spec.type() + " has RCODE " + rcode;
        }
    }

    static String smtp(CheckSpec.Smtp spec) throws IOException {
        try (Socket s = new Socket()) {
            if (spec.bindto() != null) {
                s.bind(new InetSocketAddress(InetAddress.ofLiteral(spec.bindto()), 0));
            }
            int t = (int) spec.connectTimeout().toMillis();
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(spec.host()), spec.port()), t);
            s.setSoTimeout(t);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            String banner = reply(in);
            if (!banner.startsWith("220")) {
                return "SMTP banner: " + banner;
            }
            out.write(("HELO " + (spec.heloName() != null ? spec.heloName() : "localhost") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String helo = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return helo.startsWith("250") ? null : "SMTP HELO answered: " + helo;
        } catch (SocketTimeoutException e) {
            return "SMTP " + spec.host() + ":" + spec.port() + ": no answer within " + spec.connectTimeout().toMillis() + " ms";
        }
    }

    /** The last line of a (possibly multi-line) SMTP reply. */
    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return "(connection closed)";
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    /**
     * MISC_CHECK as keepalived runs it: exit 0 passes; with misc_dynamic, 2..255 pass too and set
     * the real's weight to the code less 2; anything else (or running over the timeout) fails.
     */
    static Verdict misc(CheckSpec.Misc spec) throws IOException, InterruptedException {
        java.util.Optional<String> refused = spec.runAs().violation(spec.command());
        if (refused.isPresent()) {
            return new Verdict.Fail("not run (enable_script_security): " + refused.get());
        }
        Process p = spec.runAs().process(spec.command(), List.of()).start();
        if (!p.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new Verdict.Fail("'" + spec.command() + "' did not finish within " + spec.timeout().toMillis() + " ms");
        }
        int code = p.exitValue();
        if (code == 0) {
            return Verdict.PASS;
        }
        if (spec.dynamic() && code >= MISC_DYNAMIC_MIN_CODE) {
            return new Verdict.Pass(java.util.OptionalInt.of(code - MISC_DYNAMIC_MIN_CODE));
        }
        return new Verdict.Fail("'" + spec.command() + "' exited " + code);
    }

    /** misc_dynamic: exit codes from 2 pass and mean weight (code − 2), 0..253. */
    private static final int MISC_DYNAMIC_MIN_CODE = 2;

    static Duration orDefault(Duration d, Duration fallback) {
        return d != null ? d : fallback;
    }
}
