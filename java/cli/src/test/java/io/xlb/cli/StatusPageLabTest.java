package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.NamespaceRelay;
import io.xlb.lab.Nginx;
import io.xlb.lab.XlbDaemon;
import io.xlb.testing.Privileged;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * Tier 3: the status page at {@code /} in a real browser (Debian's chromium, headless, driven by
 * its chromedriver through Selenium) against a running daemon with nginx reals: the token form, a
 * read-only token that sees but cannot drain, a stopped real turning DOWN within the checker's
 * bound and UP again, the rates of ipvsadm --rate, polling that stops while the tab is hidden, and
 * the Drain button (If-Match of the last GET, one retry after a 412) ending in weight 0 in
 * {@code xlb adm -Ln}.
 *
 * <p>How the browser reaches the page: chromedriver, and the chromium it starts, run inside the
 * director's namespace, where the daemon's API listens on {@code 127.0.0.1:9180}, so the browser
 * opens the page at its real address and has no route anywhere but the lab. This JVM stays in the
 * root namespace, whose loopback is another one: it reaches chromedriver's port through a
 * {@link NamespaceRelay}, a loopback port here whose connections are opened inside the namespace
 * (setns on the connecting thread). No process but chromedriver and chromium is added, and
 * Selenium Manager never runs: chromedriver is started here from /usr/bin, and RemoteWebDriver
 * only speaks WebDriver to it.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "ss", "nginx", "curl", "bash", "chromium", "chromedriver"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageLabTest {
    private static final String SUBNET = "10.77.7";
    private static final String VIP = SUBNET + ".200";
    private static final String VIP2 = SUBNET + ".201";
    private static final String KEY = "tcp:" + VIP2 + ":80";
    private static final String RS1 = SUBNET + ".130:80";
    private static final String RS2 = SUBNET + ".131:80";
    private static final String API = "http://127.0.0.1:9180";
    private static final int DRIVER_PORT = 9515;

    // The managed service's checker: delay_loop 1, TCP_CHECK connect_timeout 1, and keepalived's
    // defaults the API leaves in place, retry 1 and delay_before_retry 1 (HealthPlan).
    private static final Duration DELAY_LOOP = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final int RETRY = 1;
    private static final Duration DELAY_BEFORE_RETRY = Duration.ofSeconds(1);
    /** As io.xlb.health.Timing.detection: delay_loop + connect_timeout x (retry + 1) + delay_before_retry x retry. */
    private static final Duration DOWN_BOUND = DELAY_LOOP.plus(CONNECT_TIMEOUT.multipliedBy(RETRY + 1))
            .plus(DELAY_BEFORE_RETRY.multipliedBy(RETRY));
    /** A real that answers again passes the next round: delay_loop + one connect. */
    private static final Duration UP_BOUND = DELAY_LOOP.plus(CONNECT_TIMEOUT);
    /** What the page adds: it polls every second; one more second is slack for a loaded two-core machine. */
    private static final Duration PAGE_POLL = Duration.ofSeconds(1);
    private static final Duration PAGE_MARGIN = PAGE_POLL.plus(Duration.ofSeconds(1));

    private final DirectorLab directorLab = new DirectorLab("statuspage");
    private final Lab lab = directorLab.lab();
    private Lan lan;
    private Path conf;
    private final Map<String, BackgroundProcess> nginx = new LinkedHashMap<>();
    private RemoteWebDriver browser;
    private String rw;
    private String ro;

    @BeforeAll
    void build() throws Exception {
        lan = Lan.tutorial(lab, SUBNET);
        nginx.putAll(directorLab.tutorialReals(lan, VIP, VIP2));
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, DirectorLab.tutorialConfigWithApiVip(SUBNET, VIP, VIP2));
        // Our own token file, before the daemon would create one: a read-write and a read-only token.
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        rw = HexFormat.of().formatHex(secret);
        random.nextBytes(secret);
        ro = HexFormat.of().formatHex(secret);
        Path tokens = XlbDaemon.apiTokenFile(conf);
        Files.createFile(tokens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokens, rw + " rw admin\n" + ro + " ro viewer\n");

        directorLab.daemon(conf).start(lab, director().ns(), "daemon");
        directorLab.passOnSwitchPort(lan);
        // The API's service: two nginx reals, TCP checks of 1 s every second.
        String put = curl("PUT", "/api/v1/services/" + KEY, "{\"scheduler\": \"rr\", \"forwarding\": \"dr\", \"delayLoop\": 1,"
                + " \"reals\": [" + real(RS1) + ", " + real(RS2) + "]}", etag());
        assertTrue(put.endsWith("201"), put);
        await(Duration.ofSeconds(10), () -> served(VIP2));
        browser = browser();
    }

    @AfterAll
    void teardown() {
        // The lab closes in reverse: the browser, the relay, chromedriver, the daemon, nginx, the namespaces, the pins.
        directorLab.close();
    }

    private Lan.Host director() {
        return lan.host("director");
    }

    private static String real(String endpoint) {
        String[] ap = endpoint.split(":");
        return "{\"address\": \"" + ap[0] + "\", \"port\": " + ap[1] + ", \"check\": {\"type\": \"tcp\", \"connectTimeout\": "
                + CONNECT_TIMEOUT.toSeconds() + "}}";
    }

    /** chromedriver (and so chromium) inside the director's namespace; this JVM talks to it through a relay. */
    private RemoteWebDriver browser() throws Exception {
        Path profile = Files.createDirectories(lab.scratch().resolve("chromium-profile"));
        BackgroundProcess driver = lab.start(director().ns(), "chromedriver", "/usr/bin/chromedriver",
                "--port=" + DRIVER_PORT, "--log-path=" + lab.scratch().resolve("chromedriver-verbose.log"));
        await(Duration.ofSeconds(10), () -> {
            assertTrue(driver.isAlive(), driver.log());
            return director().ns().command("curl", "-sf", "http://127.0.0.1:" + DRIVER_PORT + "/status").result().exitCode() == 0;
        });
        NamespaceRelay relay = lab.own(NamespaceRelay.to(director().ns(), "127.0.0.1", DRIVER_PORT));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1000",
                // Nothing but the page: no updates, no metrics, no lookups of Google's services.
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--disable-sync", "--no-first-run", "--no-pings", "--disable-domain-reliability", "--disable-breakpad",
                "--disable-features=Translate,OptimizationHints,MediaRouter");
        RemoteWebDriver b = new RemoteWebDriver(URI.create("http://127.0.0.1:" + relay.port()).toURL(), options);
        lab.own(b::quit);
        b.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return b;
    }

    // --- the lab, seen with curl and xlb adm ---

    private String curl(String method, String path, String body, String ifMatch) {
        return ApiCurl.of(director().ns(), rw).call(method, path, body, ifMatch);
    }

    private String etag() {
        return ApiCurl.of(director().ns(), rw).etag();
    }

    private boolean served(String vip) {
        return LabCommand.Demo.answeredByAReal(lan.host("client"), vip, java.time.Duration.ofSeconds(1));
    }

    private boolean listedWithWeight(String endpoint, int weight) {
        return directorLab.ipvsList().matches("(?s).*-> " + endpoint.replace(".", "\\.") + " +Route +" + weight + " .*");
    }

    // --- the page ---

    private String row(String key, String endpoint) {
        return "tbody[data-service='" + key + "'] tr[data-real='" + endpoint + "']";
    }

    private String cell(String key, String endpoint, String cls) {
        List<WebElement> found = browser.findElements(By.cssSelector(row(key, endpoint) + " td." + cls));
        return found.isEmpty() ? "" : found.getFirst().getText().strip();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private void signIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("login-submit")).click();
    }

    private void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "status-page"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Seconds until {@code cls} of the real's row reads {@code want}, polled in the browser every 50 ms. */
    private double secondsUntil(String endpoint, String cls, String want, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (!cell(KEY, endpoint, cls).equals(want)) {
            assertTrue(System.nanoTime() - start < limit.toNanos(), endpoint + " " + cls + " not " + want + " within " + limit
                    + ": " + cell(KEY, endpoint, cls) + " / " + cell(KEY, endpoint, "check") + "\n" + directorLab.ipvsList());
            Thread.sleep(50);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    @Order(1)
    void aReadOnlyTokenShowsEverythingButCannotDrain() throws Exception {
        browser.get(API + "/");
        assertTrue(browser.findElement(By.id("token")).isDisplayed(), "the page asks for a token first");
        assertFalse(browser.findElement(By.id("dashboard")).isDisplayed());
        signIn("not-a-token-of-ours-at-all");
        await(Duration.ofSeconds(5), () -> text("login-error").contains("not one of"));

        signIn(ro);
        await(Duration.ofSeconds(10), () -> cell(KEY, RS1, "health").equals("UP") && cell(KEY, RS2, "health").equals("UP"));
        assertEquals(ro, js("return sessionStorage.getItem('xlb.apiToken')"), "kept for this tab only");
        // VRRP: the tutorial's instance, master here.
        await(Duration.ofSeconds(15), () -> browser.findElement(By.cssSelector("tr[data-vrrp='VI_1'] td.state")).getText().equals("MASTER"));
        assertEquals("100", browser.findElement(By.cssSelector("tr[data-vrrp='VI_1'] td.priority")).getText());
        // Each real: configured and effective weight, health and its last check with latency.
        assertEquals("1", cell(KEY, RS1, "weight"));
        assertEquals("1", cell(KEY, RS1, "effective"));
        assertTrue(cell(KEY, RS1, "check").startsWith("TCP_CHECK passed"), cell(KEY, RS1, "check"));
        assertTrue(cell(KEY, RS1, "latency").matches("[0-9.]+ ms"), cell(KEY, RS1, "latency"));
        // The hand-written service is shown, without Drain buttons (the API would answer 409).
        assertEquals(2, browser.findElements(By.cssSelector("tbody[data-service='tcp:" + VIP + ":80'] tr[data-real]")).size());
        assertTrue(browser.findElements(By.cssSelector("tbody[data-service='tcp:" + VIP + ":80'] button.drain")).isEmpty());
        assertEquals(2, browser.findElements(By.cssSelector("tbody[data-service='" + KEY + "'] button.drain")).size());

        browser.findElement(By.cssSelector(row(KEY, RS1) + " button.drain")).click();
        await(Duration.ofSeconds(5), () -> browser.findElement(By.id("message")).getAttribute("class").contains("error"));
        assertTrue(text("message").contains("this token is read-only"), "the API's own words: " + text("message"));
        assertTrue(listedWithWeight(RS1, 1), directorLab.ipvsList());
        screenshot("read-only");

        browser.findElement(By.id("logout")).click();
        assertTrue(browser.findElement(By.id("token")).isDisplayed());
        assertEquals(null, js("return sessionStorage.getItem('xlb.apiToken')"));
        signIn(rw);
        await(Duration.ofSeconds(5), () -> cell(KEY, RS1, "health").equals("UP"));
    }

    @Test
    @Order(2)
    void countersAndRatesFollowTheTraffic() throws Exception {
        String service = "tbody[data-service='" + KEY + "'] tr.service ";
        long before = Long.parseLong(browser.findElement(By.cssSelector(service + "td.conns")).getText());
        int requests = 20;
        for (int i = 0; i < requests; i++) {
            assertTrue(served(VIP2));
        }
        // ipvsadm --rate's CPS: the connections between two polls over the time between them.
        double cps = 0;
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (cps == 0 && System.nanoTime() < until) {
            String shown = browser.findElement(By.cssSelector(service + "td.cps")).getText();
            cps = shown.matches("[0-9.]+") ? Double.parseDouble(shown) : 0;
            Thread.sleep(50);
        }
        assertTrue(cps > 0, "CPS shown while traffic flowed");
        await(Duration.ofSeconds(3), () -> Long.parseLong(browser.findElement(By.cssSelector(service + "td.conns")).getText())
                >= before + requests);
        assertTrue(browser.findElement(By.cssSelector(service + "td.inbps")).getText().matches("[0-9.]+[KMGT]?"));
    }

    @Test
    @Order(3)
    void aStoppedRealTurnsDownWithinTheCheckersBoundAndUpWhenItIsBack() throws Exception {
        nginx.remove("rs1").close();
        double down = secondsUntil(RS1, "health", "DOWN", DOWN_BOUND.plus(PAGE_MARGIN).plusSeconds(5));
        String detail = cell(KEY, RS1, "check");
        screenshot("rs1-down");
        nginx.put("rs1", Nginx.start(lab, lan.host("rs1")));
        double up = secondsUntil(RS1, "health", "UP", UP_BOUND.plus(PAGE_MARGIN).plusSeconds(5));
        System.out.printf("status page: rs1 DOWN %.2f s after nginx stopped (checker bound %d s + page %d s),"
                        + " UP %.2f s after it listened again (bound %d s + page %d s)%n",
                down, DOWN_BOUND.toSeconds(), PAGE_MARGIN.toSeconds(), up, UP_BOUND.toSeconds(), PAGE_MARGIN.toSeconds());
        assertTrue(down <= DOWN_BOUND.plus(PAGE_MARGIN).toMillis() / 1e3, "DOWN within the bound: " + down);
        assertTrue(up <= UP_BOUND.plus(PAGE_MARGIN).toMillis() / 1e3, "UP within the bound: " + up);
        assertTrue(detail.startsWith("TCP_CHECK failed"), detail);
    }

    @Test
    @Order(4)
    void pollingStopsWhileHiddenAndDrainRetriesOnceAfterA412() throws Exception {
        // Record the page's requests (a wrapper around fetch: the page's behaviour is unchanged).
        js("""
                window.__calls = [];
                const original = window.fetch;
                window.fetch = async (url, opts) => {
                  const c = { method: (opts && opts.method) || 'GET', url: String(url),
                              ifMatch: (opts && opts.headers && opts.headers['If-Match']) || null, status: null };
                  window.__calls.push(c);
                  const r = await original(url, opts);
                  c.status = r.status;
                  return r;
                };
                """);
        // The tab is hidden: polling stops.
        js("Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
                + " document.dispatchEvent(new Event('visibilitychange'));");
        Thread.sleep(500); // a poll sent before may still answer
        js("window.__calls.length = 0");
        assertTrue(text("poll-state").contains("paused"), text("poll-state"));
        // Meanwhile another writer changes the configuration: the page's ETag is stale.
        String other = curl("PATCH", "/api/v1/services/" + KEY + "/reals/" + RS2, "{\"weight\": 2}", etag());
        assertTrue(other.endsWith("200"), other);
        Thread.sleep(1500);
        assertEquals(List.of(), js("return window.__calls"), "no request while hidden");

        browser.findElement(By.cssSelector(row(KEY, RS1) + " button.drain")).click();
        await(Duration.ofSeconds(5), () -> text("message").contains("is drained"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> calls = (List<Map<String, Object>>) js("return window.__calls");
        assertEquals(List.of("PATCH 412", "GET 200", "PATCH 200"),
                calls.stream().map(c -> c.get("method") + " " + c.get("status")).toList(), calls.toString());
        assertEquals("/api/v1/services", calls.get(1).get("url"));
        assertEquals("/api/v1/services/" + KEY.replace(":", "%3A") + "/reals/" + RS1.replace(":", "%3A"), calls.get(2).get("url"));
        assertNotEquals(calls.get(0).get("ifMatch"), calls.get(2).get("ifMatch"), "the retry sends the new ETag");

        // xlb adm -Ln: weight 0 for the drained real, the other one's 2.
        await(Duration.ofSeconds(2), () -> listedWithWeight(RS1, 0));
        assertTrue(listedWithWeight(RS2, 2), directorLab.ipvsList());

        // Visible again: polling resumes and shows it.
        js("delete document.hidden; document.dispatchEvent(new Event('visibilitychange'));");
        await(Duration.ofSeconds(3), () -> cell(KEY, RS1, "weight").equals("0") && cell(KEY, RS2, "weight").equals("2"));
        assertEquals("Drained", browser.findElement(By.cssSelector(row(KEY, RS1) + " button.drain")).getText());
        assertTrue(text("poll-state").startsWith("live"), text("poll-state"));
        screenshot("drained");
    }

    @Test
    @Order(5)
    void onAPhoneEachRowIsACardAndNothingScrollsSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        await(Duration.ofSeconds(3), () -> ((Number) js("return document.documentElement.scrollWidth")).intValue()
                <= ((Number) js("return window.innerWidth")).intValue());
        assertEquals("flex", browser.findElement(By.cssSelector(row(KEY, RS2) + " td.health")).getCssValue("display"));
        assertEquals("UP", cell(KEY, RS2, "health"));
        screenshot("phone");
        js("arguments[0].scrollIntoView()", browser.findElement(By.cssSelector("tbody[data-service='" + KEY + "']")));
        screenshot("phone-service");
    }
}
