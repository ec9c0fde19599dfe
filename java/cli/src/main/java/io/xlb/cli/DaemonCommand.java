package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.LogFormat;
import io.xlb.daemon.api.ApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb daemon -f FILE}: runs the configuration on the XDP dataplane until SIGTERM. */
@Command(name = "daemon", description = "Run a keepalived.conf on the XDP dataplane (SIGHUP reloads; SIGTERM stops, traffic keeps flowing).")
public final class DaemonCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "keepalived.conf")
    Path file;

    @Option(names = "--interface", paramLabel = "IF", description = "attach here too (besides the vrrp_instance interfaces)")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "where programs and maps are pinned (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--log-format", paramLabel = "plain|json", description = "log lines as plain text (default) or JSON")
    String logFormat = "plain";

    @Option(names = "--api-listen", paramLabel = "HOST:PORT|off", description = "the HTTP API's TCP address (default: ${DEFAULT-VALUE});"
            + " an address other than loopback needs --api-tls-cert and --api-tls-key")
    String apiListen = "127.0.0.1:" + ApiServer.Options.DEFAULT_PORT;

    @Option(names = "--api-token-file", paramLabel = "FILE", description = "bearer tokens of the API, TOKEN rw|ro [NAME] per line;"
            + " created with one read-write token if missing (default: ${DEFAULT-VALUE})")
    Path apiTokenFile = Path.of("/etc/xlb/api-tokens");

    @Option(names = "--api-dir", paramLabel = "DIR", description = "where the API writes the services it manages, one file each;"
            + " the configuration must include DIR/*.conf (default: xlb-api.d beside the configuration file)")
    Path apiDir;

    @Option(names = "--api-tls-cert", paramLabel = "PEM", description = "the API's TLS certificate (chain)")
    Path apiTlsCert;

    @Option(names = "--api-tls-key", paramLabel = "PEM", description = "the API's TLS private key")
    Path apiTlsKey;

    @Option(names = "--api-body-limit", paramLabel = "BYTES", description = "the largest request body the API reads (default: ${DEFAULT-VALUE})")
    int apiBodyLimit = ApiServer.Options.DEFAULT_BODY_LIMIT;

    @CommandLine.Mixin
    MapSizeOptions mapSizes = new MapSizeOptions();

    @Override
    public Integer call() throws Exception {
        if (!logFormat.equals("plain") && !logFormat.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-format is plain or json, not " + logFormat);
        }
        io.xlb.dataplane.MapSizes sizes;
        try {
            sizes = mapSizes.sizes();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-" + e.getMessage());
        }
        LogFormat.install(logFormat.equals("json"));
        String host = "127.0.0.1";
        int port = -1;
        if (!apiListen.equals("off")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[?([0-9A-Fa-f:.]+?)]?:([0-9]{1,5})").matcher(apiListen);
            if (!m.matches() || !io.xlb.config.Addresses.isLiteral(m.group(1)) || Integer.parseInt(m.group(2)) > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--api-listen is HOST:PORT ([IPV6]:PORT) or off, not " + apiListen);
            }
            host = m.group(1);
            port = Integer.parseInt(m.group(2));
        }
        Path dir = apiDir != null ? apiDir : file.toAbsolutePath().getParent().resolve("xlb-api.d");
        ApiServer.Options api = new ApiServer.Options(host, port, apiTokenFile, apiTlsCert, apiTlsKey, Daemon.apiSocket(pinDir), dir,
                apiBodyLimit, VersionCommand.version());
        Daemon daemon;
        try {
            daemon = Daemon.start(new Daemon.Options(file, interfaces, pinDir, Duration.ofSeconds(1), api, sizes));
        } catch (IllegalArgumentException | IllegalStateException | io.xlb.bpf.BpfException | java.io.IOException
                 | java.io.UncheckedIOException e) {
            // The configuration's errors were logged at their positions; this is the one-line outcome.
            spec.commandLine().getErr().println("xlb daemon: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        io.xlb.sys.Signals.unignoreHangup(); // started under nohup, SIGHUP would stay ignored
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> daemon.requestReload());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(daemon::close));
        daemon.awaitStop();
        return 0;
    }
}
