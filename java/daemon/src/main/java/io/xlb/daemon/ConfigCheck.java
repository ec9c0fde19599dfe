package io.xlb.daemon;

import io.xlb.config.Config;
import io.xlb.config.ConfigParser;
import io.xlb.config.Diagnostic;
import io.xlb.config.SourcePos;
import io.xlb.config.VrrpInstance;
import io.xlb.dataplane.DesiredState;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one acceptance rule. {@code xlb check-config} runs it, and the daemon runs it before it
 * applies anything, at start and at reload: parsing, what the dataplane can hold, what VRRP
 * supports, the health plan, and (unless offline) that the interfaces the file names exist here.
 * A file it refuses changes nothing.
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** An interface of the host, as far as a configuration needs it. */
    public record Interface(String name, int index, int mtu, Inet4Address address4, Inet6Address address6,
                            boolean hasLinkLocal6) {}

    /** Where a configuration will run: the interfaces it can name. */
    public interface Host {
        Optional<Interface> find(String name);

        /** Whether the host forwards IPv4 (or IPv6) packets; empty when it cannot be told (offline). */
        default Optional<Boolean> forwards(boolean ipv6) {
            return Optional.empty();
        }

        /** This machine's network namespace. */
        static Host local() {
            return new Host() {
                @Override
                public Optional<Interface> find(String name) {
                    return findLocal(name);
                }

                @Override
                public Optional<Boolean> forwards(boolean ipv6) {
                    java.nio.file.Path p = java.nio.file.Path.of(ipv6 ? "/proc/sys/net/ipv6/conf/all/forwarding" : "/proc/sys/net/ipv4/ip_forward");
                    try {
                        return Optional.of(!java.nio.file.Files.readString(p).strip().equals("0"));
                    } catch (java.io.IOException e) {
                        return Optional.empty();
                    }
                }
            };
        }

        private static Optional<Interface> findLocal(String name) {
            try {
                NetworkInterface nif = NetworkInterface.getByName(name);
                if (nif == null) {
                    return Optional.empty();
                }
                return Optional.of(new Interface(name, nif.getIndex(), nif.getMTU(), address(nif, Inet4Address.class),
                        address(nif, Inet6Address.class),
                        nif.inetAddresses().anyMatch(a -> a instanceof Inet6Address && a.isLinkLocalAddress())));
            } catch (SocketException e) {
                return Optional.empty();
            }
        }

        /** {@code check-config --offline}: the file alone, for a machine other than the director. */
        Host OFFLINE = name -> Optional.empty();
    }

    /** The verdict: the configuration and what it maps to, with every message in file order. */
    public record Outcome(Config config, DesiredState desired, HealthPlan.Result health, List<String> interfaces,
                          List<Diagnostic> diagnostics, io.xlb.dataplane.MapSizes sizes) {
        public Outcome {
            diagnostics = List.copyOf(diagnostics);
            interfaces = List.copyOf(interfaces);
        }

        public boolean accepted(boolean strict) {
            return !Diagnostic.anyError(diagnostics, strict);
        }

        /** The messages as shown: under {@code strict} a warning is an error. */
        public List<Diagnostic> shown(boolean strict) {
            return Diagnostic.shown(diagnostics, strict);
        }

        public List<Diagnostic> errors() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).toList();
        }
    }

    static Diagnostic error(SourcePos pos, String message) {
        return new Diagnostic(Diagnostic.Severity.ERROR, pos, message);
    }

    /**
     * Checks {@code file} for a director attached to the interfaces its vrrp_instances name and
     * {@code extraInterfaces} (the daemon's {@code --interface}); {@code host} says which exist.
     */
    public static Outcome check(Path file, List<String> extraInterfaces, Host host) {
        return check(file, io.xlb.config.ConfigFiles.DISK, extraInterfaces, host);
    }

    /** The same, reading the files from {@code files} (the API's pending write). */
    public static Outcome check(Path file, io.xlb.config.ConfigFiles files, List<String> extraInterfaces, Host host) {
        return check(file, files, extraInterfaces, host, io.xlb.dataplane.MapSizes.DEFAULTS);
    }

    /**
     * The same, with the map sizes used where the file's global_defs sets none ({@code xlb_max_*}):
     * the daemon's {@code --max-*} options.
     */
    public static Outcome check(Path file, io.xlb.config.ConfigFiles files, List<String> extraInterfaces, Host host,
                                io.xlb.dataplane.MapSizes unlessTheFileSays) {
        return check(file, files, extraInterfaces, host, unlessTheFileSays, sizes -> {});
    }

    /**
     * The same, telling {@code sizesRead} the map sizes as soon as a global_defs is read (before the
     * rest of the file is): the daemon loads the dataplane meanwhile. The sizes in force are the
     * outcome's; they differ from the last told only when no global_defs was read.
     */
    public static Outcome check(Path file, io.xlb.config.ConfigFiles files, List<String> extraInterfaces, Host host,
                                io.xlb.dataplane.MapSizes unlessTheFileSays,
                                java.util.function.Consumer<io.xlb.dataplane.MapSizes> sizesRead) {
        ConfigParser.Result parsed = ConfigParser.parse(file, files,
                global -> sizesRead.accept(ConfigMapping.sizes(global.mapSizes(), unlessTheFileSays)));
        return check(parsed, extraInterfaces, host, file.toString(), unlessTheFileSays);
    }

    public static Outcome check(ConfigParser.Result parsed, List<String> extraInterfaces, Host host, String fileName) {
        return check(parsed, extraInterfaces, host, fileName, io.xlb.dataplane.MapSizes.DEFAULTS);
    }

    public static Outcome check(ConfigParser.Result parsed, List<String> extraInterfaces, Host host, String fileName,
                                io.xlb.dataplane.MapSizes unlessTheFileSays) {
        List<Diagnostic> out = new ArrayList<>(parsed.diagnostics());
        Config config = parsed.config();
        boolean offline = host == Host.OFFLINE;
        if (parsed.hasErrors(false)) {
            // The records may be partial: mapping them would add noise, not news.
            return new Outcome(config, null, null, List.of(), out, unlessTheFileSays);
        }
        out.addAll(VrrpInstances.unsupported(config));
        Set<String> interfaces = new LinkedHashSet<>();
        config.vrrpInstances().forEach(i -> interfaces.add(i.interfaceName()));
        interfaces.addAll(extraInterfaces);
        Interface primary = null;
        if (!offline) {
            for (VrrpInstance i : config.vrrpInstances()) {
                Optional<Interface> nif = host.find(i.interfaceName());
                if (nif.isEmpty()) {
                    out.add(error(i.pos(), "vrrp_instance " + i.name() + ": no interface " + i.interfaceName() + " on this host"));
                } else if (VrrpInstances.ipv6(i) && !nif.get().hasLinkLocal6()) {
                    out.add(error(i.pos(), "vrrp_instance " + i.name() + ": " + i.interfaceName()
                            + " has no IPv6 link-local address to send VRRPv3 adverts from"));
                }
                for (VrrpInstance.VirtualAddress a : i.virtualIpaddress()) {
                    if (a.dev() != null && host.find(a.dev()).isEmpty()) {
                        out.add(error(a.pos(), "virtual address " + io.xlb.config.Addresses.text(a.address()) + ": no interface " + a.dev() + " on this host"));
                    }
                }
            }
            SourcePos top = new SourcePos(fileName, 1, 1);
            for (String name : extraInterfaces) {
                if (host.find(name).isEmpty()) {
                    out.add(error(top, "--interface " + name + ": no such interface on this host"));
                }
            }
            if (interfaces.isEmpty()) {
                out.add(error(top, "no interface to attach to: no vrrp_instance names one and no --interface was given"));
            } else {
                primary = host.find(interfaces.iterator().next()).orElse(null);
            }
        }
        if (!offline) {
            out.addAll(natNeedsForwarding(config, host));
        }
        io.xlb.dataplane.MapSizes sizes = ConfigMapping.sizes(config.global().mapSizes(), unlessTheFileSays);
        ConfigMapping.Result mapped = ConfigMapping.map(config, primary == null ? null : primary.address4(),
                primary == null ? null : primary.address6(), primary == null ? 0 : primary.mtu(), sizes);
        out.addAll(mapped.diagnostics());
        HealthPlan.Result health = HealthPlan.of(config);
        out.addAll(health.diagnostics());
        out.sort(Comparator.comparing((Diagnostic d) -> d.pos().file()).thenComparingInt(d -> d.pos().line())
                .thenComparingInt(d -> d.pos().column()));
        return new Outcome(config, mapped.state(), health, new ArrayList<>(interfaces), out, sizes);
    }

    /** NAT forwards the reals' replies: with IP forwarding off the FIB refuses them, and so does the stack. */
    private static List<Diagnostic> natNeedsForwarding(Config config, Host host) {
        List<Diagnostic> out = new ArrayList<>();
        for (io.xlb.config.VirtualServer vs : config.virtualServers()) {
            boolean nat = "NAT".equals(vs.method()) || vs.realServers().stream().anyMatch(r -> "NAT".equals(r.method()));
            if (!nat) {
                continue;
            }
            boolean v6 = vs.key() instanceof io.xlb.config.VirtualServer.AddressPort ap && ap.address() instanceof Inet6Address;
            if (host.forwards(v6).orElse(true)) {
                continue;
            }
            out.add(error(vs.pos(), "lb_kind NAT: this host does not forward " + (v6 ? "IPv6" : "IPv4") + " packets, and NAT"
                    + " sends the reals' replies on to the clients: sysctl -w " + (v6 ? "net.ipv6.conf.all.forwarding=1"
                    : "net.ipv4.ip_forward=1") + " (and make it permanent in /etc/sysctl.d)"));
        }
        return out;
    }

    private static <T extends InetAddress> T address(NetworkInterface nif, Class<T> type) {
        return nif.inetAddresses().filter(type::isInstance).map(type::cast).filter(a -> !a.isLinkLocalAddress())
                .findFirst().orElse(null);
    }
}
