package io.xlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xlb.daemon.Daemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * xlb's own commands talking to the running daemon: HTTP/1.1 over the daemon's Unix socket
 * (under /run/xlb, root only, so no token), one request per connection. It works from any network
 * namespace, which a loopback address would not.
 */
public final class DaemonClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;

    private DaemonClient(Path socket) {
        this.socket = socket;
    }

    /** The client of the daemon on {@code pinDir}. */
    public static DaemonClient of(Path pinDir) {
        return new DaemonClient(Daemon.apiSocket(pinDir));
    }

    public boolean reachable() {
        return Files.exists(socket);
    }

    /** An answer: status, headers (lower-case names) and the body as JSON (null when it is not). */
    public record Response(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }
    }

    public Response get(String path) throws IOException {
        return call("GET", path, null);
    }

    public Response post(String path) throws IOException {
        return call("POST", path, null);
    }

    public Response call(String method, String path, String body) throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: xlb\r\nConnection: close\r\n"
                + "Accept: application/json\r\nContent-Length: " + payload.length + "\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("\r\n");
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(payload));
            byte[] all = Channels.newInputStream(ch).readAllBytes();
            return parse(all);
        }
    }

    private static Response parse(byte[] all) throws IOException {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0 || !text.startsWith("HTTP/1.1 ")) {
            throw new IOException("the daemon's answer is not HTTP");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(lines[i].substring(0, c).strip().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).strip());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int eol = indexOf(in, i);
            if (eol < 0) {
                throw new IOException("a truncated chunked answer");
            }
            int size = Integer.parseInt(new String(in, i, eol - i, StandardCharsets.US_ASCII).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(in, eol + 2, size);
            i = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
