package io.xlb.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One L2 segment: a bridge in a namespace of its own (the switch) and one host namespace per
 * name, each with an {@code eth0} on the bridge, addressed {@code PREFIX.N/24} in order, IPv6
 * off (no neighbour-discovery noise in counters), transmit checksum offload off.
 */
public final class Lan {
    public static final String HOST_IF = "eth0";

    private final Netns switchNs;
    private final Map<String, Host> hosts;

    private Lan(Netns switchNs, Map<String, Host> hosts) {
        this.switchNs = switchNs;
        this.hosts = hosts;
    }

    /** Hosts get addresses {@code subnet24.1}, {@code .2}, … in the order named. */
    public static Lan create(Lab lab, String subnet24, List<String> names) {
        Map<String, Integer> octets = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            octets.put(names.get(i), i + 1);
        }
        return create(lab, subnet24, octets);
    }

    /** Hosts get {@code subnet24.N} with N as given, e.g. the seed's .128 director and .130/.131 reals. */
    /** The tutorial's network: client .100, director .128, real servers rs1 .130 and rs2 .131. */
    public static Lan tutorial(Lab lab, String subnet24) {
        Map<String, Integer> hosts = new LinkedHashMap<>();
        hosts.put("client", 100);
        hosts.put("director", 128);
        hosts.put("rs1", 130);
        hosts.put("rs2", 131);
        return create(lab, subnet24, hosts);
    }

    public static Lan create(Lab lab, String subnet24, Map<String, Integer> lastOctets) {
        Netns sw = lab.namespace();
        sw.exec("ip", "link", "add", "br0", "type", "bridge");
        sw.exec("ip", "link", "set", "br0", "up");
        Map<String, Host> hosts = new LinkedHashMap<>();
        int n = 1;
        for (Map.Entry<String, Integer> host : lastOctets.entrySet()) {
            String name = host.getKey();
            Netns ns = lab.namespace();
            String port = "p" + n;
            Command.of("ip", "link", "add", HOST_IF, "netns", ns.name(), "type", "veth",
                    "peer", "name", port, "netns", sw.name()).run();
            sw.exec("ip", "link", "set", port, "master", "br0");
            sw.exec("ip", "link", "set", port, "up");
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            String address = subnet24 + "." + host.getValue();
            ns.exec("ip", "addr", "add", address + "/24", "dev", HOST_IF);
            ns.exec("ethtool", "-K", HOST_IF, "tx", "off");
            ns.exec("ip", "link", "set", HOST_IF, "up");
            hosts.put(name, new Host(name, ns, HOST_IF, address, Veth.mac(ns, HOST_IF), port));
            n++;
        }
        return new Lan(sw, hosts);
    }

    public Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name + " on this LAN: " + hosts.keySet());
        }
        return h;
    }

    /**
     * Plugs a host of another LAN into this one too, by a second interface {@code ifname} addressed
     * {@code cidr}: a two-armed director's inside leg.
     */
    public Host join(Host other, String ifname, String cidr) {
        String port = "j" + (hosts.size() + 1);
        Command.of("ip", "link", "add", ifname, "netns", other.ns().name(), "type", "veth",
                "peer", "name", port, "netns", switchNs.name()).run();
        switchNs.exec("ip", "link", "set", port, "master", "br0");
        switchNs.exec("ip", "link", "set", port, "up");
        other.ns().exec("ip", "addr", "add", cidr, "dev", ifname);
        other.ns().exec("ethtool", "-K", ifname, "tx", "off");
        other.ns().exec("ip", "link", "set", ifname, "up");
        Host joined = new Host(other.name(), other.ns(), ifname, cidr.substring(0, cidr.indexOf('/')), Veth.mac(other.ns(), ifname), port);
        hosts.put(other.name() + "/" + ifname, joined);
        return joined;
    }

    /** The namespace of the bridge, where each host's switch port lives. */
    public Netns switchNamespace() {
        return switchNs;
    }

    /** A host: its namespace, interface, IPv4 address, MAC, and its port on the bridge. */
    public record Host(String name, Netns ns, String ifname, String address, String mac, String switchPort) {}
}
