package io.xlb.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From the node tree to the configuration records, as keepalived 2.2's parsers read them: the top
 * level here, each section by its reader and keyword table, then the checks across sections.
 * Unknown keywords are warnings; bad values are errors at the value.
 */
final class Interpreter {
    private final Diagnostics d;
    /** Where each instance's virtual_router_id is written, by instance name. */
    private final Map<String, SourcePos> vridPos = new HashMap<>();
    /** Where a real_server's address is written, by the real_server's own position: only reals not of their service's family. */
    private final Map<SourcePos, SourcePos> realAddressPos = new HashMap<>();

    private final SourcePos filePos;
    private GlobalDefs global;
    private final List<VrrpScript> scripts = new ArrayList<>();
    private final List<SyncGroup> groups = new ArrayList<>();
    /** vrrp_instances wait for the end: they take their default VRRP version from global_defs, wherever it is written. */
    private final List<Node> instanceNodes = new ArrayList<>();
    private final List<VirtualServerGroup> vsGroups = new ArrayList<>();
    private final List<VirtualServer> servers = new ArrayList<>();
    private final GlobalDefsReader globalDefs;
    private final VrrpScriptReader vrrpScript;
    private final SyncGroupReader syncGroup;
    private final VrrpInstanceReader vrrpInstance;
    private final VirtualServerGroupReader virtualServerGroup;
    private final VirtualServerReader virtualServer;

    /** Told each global_defs as soon as it is read. */
    private final java.util.function.Consumer<GlobalDefs> globalDefsRead;

    Interpreter(Diagnostics d, SourcePos filePos, java.util.function.Consumer<GlobalDefs> globalDefsRead) {
        this.d = d;
        this.filePos = filePos;
        this.globalDefsRead = globalDefsRead;
        this.global = GlobalDefs.empty(filePos);
        this.globalDefs = new GlobalDefsReader(d);
        this.vrrpScript = new VrrpScriptReader(d);
        this.syncGroup = new SyncGroupReader(d);
        this.vrrpInstance = new VrrpInstanceReader(d, vridPos);
        this.virtualServerGroup = new VirtualServerGroupReader(d);
        this.virtualServer = new VirtualServerReader(d, realAddressPos);
    }

    /** One top-level node, read as it comes (the parser drops it after): a file's tree is never whole. */
    void read(Node n) {
        switch (n.keyword()) {
            case "global_defs" -> {
                global = globalDefs.read(n);
                globalDefsRead.accept(global);
            }
            case "vrrp_script" -> KeywordTable.add(scripts, vrrpScript.read(n));
            case "vrrp_sync_group" -> KeywordTable.add(groups, syncGroup.read(n));
            case "vrrp_instance" -> instanceNodes.add(n);
            case "virtual_server_group" -> KeywordTable.add(vsGroups, virtualServerGroup.read(n));
            case "virtual_server" -> KeywordTable.add(servers, virtualServer.read(n));
            default -> KeywordTable.unknown(n, "the top level", d);
        }
    }

    /** The configuration of every node read, once the checks across sections are done. */
    Config config() {
        int defaultVersion = global.vrrpVersion() != null ? global.vrrpVersion() : 2;
        List<VrrpInstance> instances = new ArrayList<>();
        for (Node n : instanceNodes) {
            KeywordTable.add(instances, vrrpInstance.read(n, defaultVersion));
        }
        checkInstances(instances);
        checkStrict(global, instances);
        checkSyncGroups(groups, instances);
        checkTrackScripts(scripts, instances);
        checkServers(servers, vsGroups);
        return new Config(global, scripts, groups, instances, vsGroups, servers, filePos);
    }

    private void checkInstances(List<VrrpInstance> instances) {
        Map<String, VrrpInstance> byIfVrid = new HashMap<>();
        Set<String> names = new java.util.HashSet<>();
        for (VrrpInstance i : instances) {
            if (!names.add(i.name())) {
                d.error(i.pos(), "vrrp_instance " + i.name() + " is defined twice");
            }
            String key = i.interfaceName() + "/" + i.virtualRouterId();
            VrrpInstance first = byIfVrid.putIfAbsent(key, i);
            if (first != null) {
                d.error(vridPos.getOrDefault(i.name(), i.pos()), "virtual_router_id " + i.virtualRouterId() + " on "
                        + i.interfaceName() + " is already used by vrrp_instance " + first.name() + " (" + first.pos() + ")");
            }
        }
    }

    /**
     * vrrp_strict, as keepalived enforces it: every instance has a virtual address, no unicast
     * peers, no authentication, no accept mode. Its other half (no_accept: the master drops
     * packets addressed to its virtual addresses) is not done by xlb, and said so.
     */
    private void checkStrict(GlobalDefs global, List<VrrpInstance> instances) {
        if (!global.vrrpStrict()) {
            return;
        }
        d.warning(global.pos(), "vrrp_strict: its protocol checks are enforced, but not its no_accept part: the master"
                + " accepts packets addressed to its virtual addresses (xlb installs no firewall rules)");
        for (VrrpInstance i : instances) {
            if (i.virtualIpaddress().isEmpty()) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict requires at least one virtual_ipaddress");
            }
            if (!i.unicastPeers().isEmpty()) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow unicast_peer (VRRP is multicast)");
            }
            if (i.authentication() != null) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow authentication"
                        + " (RFC 5798 removed it): remove the authentication block");
            }
            if (Boolean.TRUE.equals(i.accept())) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow accept");
            }
        }
    }

    /** keepalived warns and ignores a track_script naming no vrrp_script; so does xlb. */
    private void checkTrackScripts(List<VrrpScript> scripts, List<VrrpInstance> instances) {
        Set<String> names = new java.util.HashSet<>();
        scripts.forEach(s -> names.add(s.name()));
        for (VrrpInstance i : instances) {
            for (VrrpInstance.TrackScript t : i.trackScripts()) {
                if (!names.contains(t.name())) {
                    d.warning(i.pos(), "vrrp_instance " + i.name() + " tracks script " + t.name()
                            + ", which no vrrp_script defines: ignored");
                }
            }
        }
    }

    private void checkSyncGroups(List<SyncGroup> groups, List<VrrpInstance> instances) {
        Set<String> names = new java.util.HashSet<>();
        instances.forEach(i -> names.add(i.name()));
        for (SyncGroup g : groups) {
            for (String member : g.group()) {
                if (!names.contains(member)) {
                    d.error(g.pos(), "vrrp_sync_group " + g.name() + " names vrrp_instance " + member + ", which is not defined");
                }
            }
        }
    }

    private void checkServers(List<VirtualServer> servers, List<VirtualServerGroup> groups) {
        Set<String> groupNames = new java.util.HashSet<>();
        groups.forEach(g -> groupNames.add(g.name()));
        Set<String> seen = new java.util.HashSet<>();
        for (VirtualServer vs : servers) {
            String id = vs.key() + "/" + vs.protocol();
            if (!seen.add(id)) {
                d.error(vs.pos(), "virtual_server " + describe(vs.key()) + " " + vs.protocol() + " is defined twice");
            }
            if (vs.key() instanceof VirtualServer.Group g && !groupNames.contains(g.name())) {
                d.error(vs.pos(), "virtual_server group " + g.name() + ": no virtual_server_group of that name");
            }
            Set<String> realsSeen = new java.util.HashSet<>();
            for (RealServer r : vs.realServers()) {
                if (!realsSeen.add(Addresses.text(r.address()) + ":" + r.port())) {
                    d.error(r.pos(), "real_server " + Addresses.text(r.address()) + " " + r.port() + " appears twice in this virtual_server");
                }
                if (vs.key() instanceof VirtualServer.AddressPort ap) {
                    if (Addresses.isV4(ap.address()) != Addresses.isV4(r.address())) {
                        d.error(realAddressPos.getOrDefault(r.pos(), r.pos()),
                                "real_server " + Addresses.text(r.address()) + " is not of the virtual server's address family ("
                                        + Addresses.text(ap.address()) + ")");
                    }
                    String m = r.method() != null ? r.method() : vs.method();
                    if ("DR".equals(m) && r.port() != ap.port()) {
                        d.warning(r.pos(), "DR cannot change the port: real_server port " + r.port()
                                + " differs from the virtual server's " + ap.port() + "; packets keep port " + ap.port());
                    }
                }
            }
        }
    }

    static String describe(VirtualServer.Key key) {
        return switch (key) {
            case VirtualServer.AddressPort ap -> Addresses.text(ap.address()) + " " + ap.port();
            case VirtualServer.Fwmark f -> "fwmark " + f.mark();
            case VirtualServer.Group g -> "group " + g.name();
        };
    }
}
