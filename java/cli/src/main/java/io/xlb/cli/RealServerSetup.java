package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfException;
import io.xlb.bpf.Errno;
import io.xlb.bpf.Xdp;
import io.xlb.cli.RealServerPlan.LocalAddress;
import io.xlb.cli.RealServerPlan.Mode;
import io.xlb.dataplane.TunnelDecap;
import io.xlb.sys.InterfaceAddresses;
import io.xlb.sys.Links;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes this host a real server as {@link RealServerPlan} says, and undoes it, in the network
 * namespace of the calling thread: addresses over rtnetlink, sysctls under /proc/sys (both per
 * thread, so a thread that entered another namespace acts there), the decapsulation program
 * attached by XDP and pinned under {@code pinDir/IFNAME}. What was changed is kept in
 * {@link RealServerState} at {@code stateFile}.
 *
 * Longer than most files here: applying and undoing each of the three kinds of change sit side by
 * side so that every step {@code start} takes has its inverse next to it.
 */
final class RealServerSetup {
    static final Path DEFAULT_PIN_DIR = Path.of("/sys/fs/bpf/xlb-realserver");
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private static final String LO = "lo";

    private final Path stateFile;
    private final Path pinDir;
    private final Consumer<String> out;
    private final Consumer<String> warn;

    RealServerSetup(Path stateFile, Path pinDir, Consumer<String> out, Consumer<String> warn) {
        this.stateFile = stateFile;
        this.pinDir = pinDir;
        this.out = out;
        this.warn = warn;
    }

    /** The calling thread's network namespace, as the kernel names it: {@code net:[4026531840]}. */
    static String netns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self/ns/net", e);
        }
    }

    /** Interfaces by name. */
    static Map<String, Links.Link> links() {
        try (Links l = Links.open()) {
            return l.list();
        }
    }

    /** This host's addresses on every interface but lo (VIPs on lo are not where reals are reached). */
    static List<LocalAddress> localAddresses(Map<String, Links.Link> links) {
        Map<Integer, String> names = new HashMap<>();
        links.values().forEach(l -> names.put(l.ifindex(), l.name()));
        List<LocalAddress> out = new ArrayList<>();
        try (InterfaceAddresses a = InterfaceAddresses.open()) {
            for (InterfaceAddresses.Address x : a.list()) {
                String name = names.get(x.ifindex());
                if (name != null && !name.equals(LO) && !x.address().isLoopbackAddress()) {
                    out.add(new LocalAddress(x.address(), name));
                }
            }
        }
        return out;
    }

    // ---- start ----

    /** Brings the host to {@code plan}; returns the number of changes made (0: it was so already). */
    int start(RealServerPlan plan, String source) {
        String ns = netns();
        RealServerState state = loadHere(ns).map(s -> s.withSource(source))
                .orElseGet(() -> RealServerState.empty(ns, source, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        Map<String, Links.Link> links = links();
        Links.Link lo = links.get(LO);
        if (lo == null) {
            throw new RealServerException("this network namespace has no lo");
        }
        check(plan, links, lo);
        if (!lo.adminUp()) {
            warn.accept("lo is down: packets to the VIPs will not be accepted until it is up (ip link set lo up)");
        }
        int changes = 0;
        try {
            changes += vips(plan, state, lo.ifindex());
            changes += sysctls(plan.sysctls(), state);
            changes += decaps(plan, state, links);
        } finally {
            state.save(stateFile);
        }
        return changes;
    }

    /** Everything that would make start fail half-way is refused before anything changes. */
    private void check(RealServerPlan plan, Map<String, Links.Link> links, Links.Link lo) {
        for (String i : plan.interfaces()) {
            if (!links.containsKey(i)) {
                throw new RealServerException("no interface '" + i + "' in this network namespace");
            }
        }
        try (InterfaceAddresses a = InterfaceAddresses.open()) {
            for (InterfaceAddresses.Address x : a.list()) {
                if (x.ifindex() != lo.ifindex() && plan.vips().containsKey(x.address())) {
                    String on = links.values().stream().filter(l -> l.ifindex() == x.ifindex()).map(Links.Link::name)
                            .findFirst().orElse("ifindex " + x.ifindex());
                    throw new RealServerException("VIP " + RealServerPlan.text(x.address()) + " is on " + on
                            + ": a real server holds its VIPs on lo only (is this host a director?)");
                }
            }
        }
        for (String i : plan.tunnels().keySet()) {
            Path dir = pinDir.resolve(i);
            try (Bpf bpf = Bpf.open()) {
                Optional<Xdp.Attachment> a = bpf.xdp().query(links.get(i).ifindex());
                if (a.isEmpty()) {
                    continue;
                }
                int ours = Files.exists(dir.resolve(TunnelDecap.PROGRAM))
                        ? bpf.openPinnedProgram(dir.resolve(TunnelDecap.PROGRAM)).id() : -1;
                if (a.get().programId() != ours) {
                    throw new RealServerException(i + " already runs XDP program id " + a.get().programId()
                            + ", not xlb's decapsulation: detach it first (ip link set dev " + i + " xdp off)");
                }
            }
        }
    }

    private int vips(RealServerPlan plan, RealServerState state, int lo) {
        int changes = 0;
        try (InterfaceAddresses a = InterfaceAddresses.open()) {
            Set<InetAddress> onLo = new LinkedHashSet<>();
            a.list().stream().filter(x -> x.ifindex() == lo).forEach(x -> onLo.add(x.address()));
            // VIPs of an earlier start that the plan no longer has.
            for (RealServerState.Vip v : List.copyOf(state.vips())) {
                InetAddress addr = InetAddress.ofLiteral(v.address());
                if (!plan.vips().containsKey(addr)) {
                    if (v.added() && a.remove(lo, addr, v.prefixLength())) {
                        out.accept("removed " + v.address() + "/" + v.prefixLength() + " from lo (no longer a VIP here)");
                        changes++;
                    }
                    state.vips().remove(v);
                }
            }
            for (Map.Entry<InetAddress, Set<Mode>> e : plan.vips().entrySet()) {
                InetAddress addr = e.getKey();
                String text = RealServerPlan.text(addr);
                int prefix = addr instanceof Inet4Address ? 32 : 128;
                String modes = RealServerPlan.modes(e.getValue());
                Optional<RealServerState.Vip> known = state.vip(text);
                if (known.isPresent() && !known.get().modes().equals(modes)) {
                    out.accept(text + " is now " + modes + " (was " + known.get().modes() + ")");
                    changes++;
                }
                boolean added;
                if (onLo.contains(addr)) {
                    added = known.map(RealServerState.Vip::added).orElse(false);
                    if (known.isEmpty()) {
                        out.accept(text + " was on lo already: left there by stop");
                    }
                } else {
                    a.add(lo, addr, prefix);
                    out.accept("added " + text + "/" + prefix + " to lo (" + modes + ")");
                    changes++;
                    added = known.map(RealServerState.Vip::added).orElse(true);
                }
                known.ifPresent(state.vips()::remove);
                state.vips().add(new RealServerState.Vip(text, prefix, modes, added));
            }
        }
        return changes;
    }

    private int sysctls(Map<String, String> desired, RealServerState state) {
        int changes = 0;
        for (RealServerState.Sysctl s : List.copyOf(state.sysctls())) {
            if (!desired.containsKey(s.path())) {
                changes += restore(s, " (no longer needed)");
                state.sysctls().remove(s);
            }
        }
        for (Map.Entry<String, String> e : desired.entrySet()) {
            String now = readSysctl(e.getKey());
            Optional<RealServerState.Sysctl> known = state.sysctl(e.getKey());
            String original = known.map(RealServerState.Sysctl::original).orElse(now);
            if (!now.equals(e.getValue())) {
                writeSysctl(e.getKey(), e.getValue());
                out.accept("set " + name(e.getKey()) + " = " + e.getValue() + " (was " + now + ")");
                changes++;
            }
            known.ifPresent(state.sysctls()::remove);
            state.sysctls().add(new RealServerState.Sysctl(e.getKey(), e.getValue(), original));
        }
        return changes;
    }

    private int decaps(RealServerPlan plan, RealServerState state, Map<String, Links.Link> links) {
        int changes = 0;
        for (RealServerState.Decap d : List.copyOf(state.decaps())) {
            if (!plan.tunnels().containsKey(d.ifname())) {
                changes += removeDecap(d.ifname(), links, " (no TUN service here any more)");
                state.decaps().remove(d);
            }
        }
        for (Map.Entry<String, Set<InetAddress>> e : plan.tunnels().entrySet()) {
            String i = e.getKey();
            int ifindex = links.get(i).ifindex();
            Path dir = pinDir.resolve(i);
            try (Bpf bpf = Bpf.open()) {
                TunnelDecap decap;
                if (Files.exists(dir.resolve(TunnelDecap.PROGRAM))) {
                    decap = TunnelDecap.adopt(bpf, dir);
                } else {
                    TunnelDecap.unpin(bpf, dir); // leftovers of a start that failed while pinning
                    decap = TunnelDecap.load(bpf);
                    decap.pin(dir);
                    out.accept("loaded xlb_decap, pinned under " + dir);
                    changes++;
                }
                state.decaps().removeIf(d -> d.ifname().equals(i));
                state.decaps().add(new RealServerState.Decap(i, e.getValue().stream().map(RealServerPlan::text).toList()));
                Set<InetAddress> accepted = decap.accepted();
                for (InetAddress a : accepted) {
                    if (!e.getValue().contains(a)) {
                        decap.reject(a);
                        out.accept("xlb_decap on " + i + ": no longer takes tunnels to " + RealServerPlan.text(a));
                        changes++;
                    }
                }
                for (InetAddress a : e.getValue()) {
                    if (!accepted.contains(a)) {
                        decap.accept(a);
                        out.accept("xlb_decap on " + i + ": takes tunnels to " + RealServerPlan.text(a));
                        changes++;
                    }
                }
                if (bpf.xdp().query(ifindex).isEmpty()) {
                    out.accept("attached xlb_decap to " + i + " (" + attach(bpf, ifindex, decap) + ")");
                    changes++;
                }
            }
        }
        return changes;
    }

    /** Native XDP where the driver has it, else generic. */
    private static String attach(Bpf bpf, int ifindex, TunnelDecap decap) {
        try {
            bpf.xdp().attach(ifindex, decap.program(), Xdp.Mode.NATIVE);
            return "native XDP";
        } catch (BpfException e) {
            if (e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
        }
        bpf.xdp().attach(ifindex, decap.program(), Xdp.Mode.GENERIC);
        return "generic XDP: the driver has no native XDP";
    }

    // ---- stop ----

    /** Undoes what start did; false when there was nothing to undo. */
    boolean stop() {
        Optional<RealServerState> loaded = loadHere(netns());
        if (loaded.isEmpty()) {
            return false;
        }
        RealServerState state = loaded.get();
        Map<String, Links.Link> links = links();
        try {
            for (RealServerState.Decap d : List.copyOf(state.decaps())) {
                removeDecap(d.ifname(), links, "");
                state.decaps().remove(d);
            }
            Links.Link lo = links.get(LO);
            try (InterfaceAddresses a = InterfaceAddresses.open()) {
                for (RealServerState.Vip v : List.copyOf(state.vips())) {
                    if (!v.added()) {
                        out.accept("left " + v.address() + " on lo (it was there before start)");
                    } else if (lo != null && a.remove(lo.ifindex(), InetAddress.ofLiteral(v.address()), v.prefixLength())) {
                        out.accept("removed " + v.address() + "/" + v.prefixLength() + " from lo");
                    }
                    state.vips().remove(v);
                }
            }
            // Restored in reverse: the interfaces' values before all's, as they were set the other way round.
            for (RealServerState.Sysctl s : state.sysctls().reversed()) {
                restore(s, "");
            }
            state.sysctls().clear();
        } finally {
            if (state.isEmpty()) {
                try {
                    Files.deleteIfExists(stateFile);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + stateFile, e);
                }
            } else {
                state.save(stateFile);
            }
        }
        try {
            Files.deleteIfExists(pinDir); // only if empty: other pins stay
        } catch (IOException e) {
            // not empty, or not ours: leave it
        }
        return true;
    }

    private int restore(RealServerState.Sysctl s, String why) {
        String now;
        try {
            now = readSysctl(s.path());
        } catch (RealServerException gone) {
            out.accept(name(s.path()) + " is gone (its interface was removed): nothing to restore");
            return 0;
        }
        if (now.equals(s.original())) {
            return 0;
        }
        writeSysctl(s.path(), s.original());
        out.accept("restored " + name(s.path()) + " = " + s.original() + why);
        return 1;
    }

    private int removeDecap(String ifname, Map<String, Links.Link> links, String why) {
        Path dir = pinDir.resolve(ifname);
        int changes = 0;
        try (Bpf bpf = Bpf.open()) {
            Links.Link link = links.get(ifname);
            if (Files.exists(dir.resolve(TunnelDecap.PROGRAM)) && link != null) {
                int ours = bpf.openPinnedProgram(dir.resolve(TunnelDecap.PROGRAM)).id();
                Optional<Xdp.Attachment> a = bpf.xdp().query(link.ifindex());
                if (a.isPresent() && a.get().programId() == ours) {
                    bpf.xdp().detach(link.ifindex(), a.get().mode());
                    out.accept("detached xlb_decap from " + ifname + why);
                    changes++;
                } else if (a.isPresent()) {
                    warn.accept(ifname + " runs XDP program id " + a.get().programId() + ", not xlb's decapsulation: left attached");
                }
            }
            if (Files.exists(dir)) {
                TunnelDecap.unpin(bpf, dir);
                out.accept("unpinned " + dir);
                changes++;
            }
        }
        return changes;
    }

    // ---- status ----

    /** Prints what start configured and whether it is still so: 0 all in place, 1 something is not, 3 not started. */
    int status(boolean root) {
        Optional<RealServerState> loaded = loadHere(netns());
        if (loaded.isEmpty()) {
            out.accept("not started (no " + stateFile + ")");
            return 3;
        }
        RealServerState state = loaded.get();
        out.accept("started " + state.started() + " from " + state.source() + " (state " + stateFile + ")");
        boolean drift = false;
        Map<String, Links.Link> links = links();
        Links.Link lo = links.get(LO);
        Set<InetAddress> onLo = new LinkedHashSet<>();
        try (InterfaceAddresses a = InterfaceAddresses.open()) {
            a.list().stream().filter(x -> lo != null && x.ifindex() == lo.ifindex()).forEach(x -> onLo.add(x.address()));
        }
        for (RealServerState.Vip v : state.vips()) {
            boolean present = onLo.contains(InetAddress.ofLiteral(v.address()));
            drift |= !present;
            out.accept("vip " + v.address() + "/" + v.prefixLength() + " " + v.modes() + " on lo: "
                    + (present ? "present" : "MISSING") + (v.added() ? "" : " (was there before start)"));
        }
        for (RealServerState.Sysctl s : state.sysctls()) {
            String now;
            try {
                now = readSysctl(s.path());
            } catch (RealServerException gone) {
                now = "gone";
            }
            boolean ok = now.equals(s.value());
            drift |= !ok;
            out.accept("sysctl " + name(s.path()) + " = " + now + (ok ? "" : " (NOT " + s.value() + ")")
                    + " (was " + s.original() + " before start)");
        }
        for (RealServerState.Decap d : state.decaps()) {
            String to = String.join(", ", d.tunnelsTo());
            if (!root) {
                out.accept("decap on " + d.ifname() + " for tunnels to " + to + ": unknown (reading BPF needs root)");
                continue;
            }
            Path dir = pinDir.resolve(d.ifname());
            Links.Link link = links.get(d.ifname());
            if (!Files.exists(dir.resolve(TunnelDecap.PROGRAM)) || link == null) {
                drift = true;
                out.accept("decap on " + d.ifname() + " for tunnels to " + to + ": MISSING ("
                        + (link == null ? "no interface " + d.ifname() : "no pins under " + dir) + ")");
                continue;
            }
            try (Bpf bpf = Bpf.open()) {
                TunnelDecap decap = TunnelDecap.adopt(bpf, dir);
                Optional<Xdp.Attachment> a = bpf.xdp().query(link.ifindex());
                boolean attached = a.isPresent() && a.get().programId() == decap.program().id();
                drift |= !attached;
                TunnelDecap.Stats st = decap.stats();
                out.accept("decap on " + d.ifname() + " for tunnels to " + to + ": "
                        + (attached ? "attached (" + a.get().mode().name().toLowerCase(Locale.ROOT) + " XDP, program id "
                        + a.get().programId() + ")" : "NOT ATTACHED")
                        + "; decapsulated " + st.ipip() + " IPIP, " + st.ip6ip6() + " IP6IP6; " + st.passed() + " other packets passed");
            }
        }
        return drift ? 1 : 0;
    }

    // ---- helpers ----

    private Optional<RealServerState> loadHere(String ns) {
        Optional<RealServerState> s = RealServerState.load(stateFile);
        if (s.isPresent() && !ns.equals(s.get().netns())) {
            throw new RealServerException(stateFile + " was written in network namespace " + s.get().netns() + ", this is "
                    + ns + ": give each namespace its own --state file (and --pin-dir)");
        }
        return s;
    }

    /** As sysctl(8) names it: dots between the levels, an interface's dots as slashes. */
    static String name(String path) {
        String[] parts = path.split("/");
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (!b.isEmpty()) {
                b.append('.');
            }
            b.append(p.replace('.', '/'));
        }
        return b.toString();
    }

    static String readSysctl(String path) {
        try {
            return Files.readString(PROC_SYS.resolve(path)).strip();
        } catch (NoSuchFileException e) {
            throw new RealServerException("no sysctl " + name(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_SYS.resolve(path), e);
        }
    }

    static void writeSysctl(String path, String value) {
        try {
            Files.writeString(PROC_SYS.resolve(path), value + "\n");
        } catch (NoSuchFileException e) {
            throw new RealServerException("no sysctl " + name(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + PROC_SYS.resolve(path), e);
        }
    }
}
