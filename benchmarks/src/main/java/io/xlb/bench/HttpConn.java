package io.xlb.bench;

import io.xlb.sys.NetNamespace;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection to the daemon's API, for timing requests without a process
 * per request (curl's start-up would be most of what is measured). The socket is created inside
 * the daemon's network namespace (its API listens on that namespace's loopback); once connected it
 * is used from the calling thread. Requests go one at a time, as the benchmarks send them.
 */
final class HttpConn implements AutoCloseable {
    /** The status line's code, the headers (names in lower case) and the body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String token;

    private HttpConn(Socket socket, String token) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = socket.getOutputStream();
        this.token = token;
    }

    /** Connects to {@code host:port} from inside {@code ns}, sending {@code token} as the bearer token. */
    static HttpConn open(NetNamespace ns, String host, int port, String token) throws Exception {
        Socket s = ns.call(() -> {
            Socket x = new Socket();
            x.setTcpNoDelay(true);
            x.connect(new InetSocketAddress(host, port), 5000);
            return x;
        });
        s.setSoTimeout(120_000);
        return new HttpConn(s, token);
    }

    /** A request with If-Match: * on writes (the benchmarks race nobody) and a JSON body when given. */
    Response send(String method, String path, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Authorization: Bearer ").append(token).append("\r\n");
        if (!method.equals("GET")) {
            h.append("If-Match: *\r\n");
        }
        if (json != null) {
            h.append("Content-Type: application/json\r\n");
        }
        if (json != null || !method.equals("GET")) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        out.write(all);
        out.flush();
        return read();
    }

    private Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line().split(";")[0].strip(), 16); n > 0; n = Integer.parseInt(line().split(";")[0].strip(), 16)) {
                b.write(in.readNBytes(n));
                line();
            }
            for (String l = line(); !l.isEmpty(); l = line()) {
                // trailers
            }
            body = b.toByteArray();
        } else {
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("connection closed after " + body.length + " of " + length + " bytes");
            }
        }
        return new Response(code, headers, body);
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
