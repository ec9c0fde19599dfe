package io.xlb.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page's files at {@code /}: served without a token, holding no data, under a content
 * security policy that allows no inline code; and the request its Drain button makes (the path
 * segments as encodeURIComponent writes them) does what curl's does. The page in a browser is
 * java/cli's StatusPageLabTest.
 */
class StatusPageTest {
    private static final String RW = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    private FakeDirectorApi server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = FakeDirectorApi.start(dir, "", RW + " rw admin\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.api().port() + path));
    }

    @Test
    void thePageAndItsFilesNeedNoTokenAndAllowNoInlineCode() throws Exception {
        HttpResponse<String> page = send(request("/"));
        assertEquals(200, page.statusCode(), page.body());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.body().contains("<meta name=\"viewport\""), "usable on a phone");
        assertTrue(page.body().contains("<script src=\"/status.js\" defer></script>"));
        assertFalse(page.body().contains(server.director().etag()) || page.body().contains("192.0.2"), "the page itself holds no data");
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());

        HttpResponse<String> js = send(request("/status.js"));
        assertEquals(200, js.statusCode());
        assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("Content-Type").orElseThrow());
        assertFalse(js.body().contains("innerHTML"), "strings reach the DOM as text");
        HttpResponse<String> css = send(request("/status.css"));
        assertEquals(200, css.statusCode());
        assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElseThrow());

        // Everything the page references is served.
        Matcher refs = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"").matcher(page.body());
        while (refs.find()) {
            assertEquals(200, send(request(refs.group(1))).statusCode(), refs.group(1));
        }
        assertEquals(404, send(request("/status.html")).statusCode());
        assertEquals(401, send(request("/api/v1/status")).statusCode(), "the data still needs the token");
    }

    @Test
    void theDrainButtonsRequestWithEncodedSegmentsDrainsTheReal() throws Exception {
        // As status.js sends it: encodeURIComponent of the service key and of the real, If-Match from the last answer.
        drain("tcp:192.0.2.10:80", "tcp%3A192.0.2.10%3A80", "10.0.0.11", "10.0.0.11%3A80");
        drain("tcp:[2001:db8::10]:80", "tcp%3A%5B2001%3Adb8%3A%3A10%5D%3A80", "2001:db8::12", "%5B2001%3Adb8%3A%3A12%5D%3A80");
    }

    private void drain(String key, String encodedKey, String real, String encodedReal) throws Exception {
        String body = "{\"scheduler\": \"rr\", \"reals\": [{\"address\": \"" + real + "\", \"port\": 80, \"weight\": 5}]}";
        HttpResponse<String> put = send(request("/api/v1/services/" + key.replace("[", "%5B").replace("]", "%5D"))
                .header("Authorization", "Bearer " + RW).header("If-Match", "*").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(201, put.statusCode(), put.body());
        HttpResponse<String> drain = send(request("/api/v1/services/" + encodedKey + "/reals/" + encodedReal)
                .header("Authorization", "Bearer " + RW).header("If-Match", put.headers().firstValue("ETag").orElseThrow())
                .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"state\":\"drain\"}")));
        assertEquals(200, drain.statusCode(), drain.body());
        assertTrue(drain.body().contains("\"weight\" : 0"), drain.body());
    }
}
