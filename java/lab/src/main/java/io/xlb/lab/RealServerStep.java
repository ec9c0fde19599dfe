package io.xlb.lab;

/**
 * The seed tutorial's realserver script, on a lab host: the VIP as a /32 on {@code lo}, and
 * {@code arp_ignore=1}, {@code arp_announce=2} on all interfaces and on the host's, so the real
 * accepts packets to the VIP without answering ARP for it.
 */
public final class RealServerStep {
    private RealServerStep() {}

    public static void apply(Lan.Host host, String vip) {
        Netns ns = host.ns();
        ns.exec("ip", "addr", "add", vip + "/32", "dev", "lo");
        for (String iface : new String[] {"all", host.ifname()}) {
            ns.exec("sysctl", "-q", "-w", "net.ipv4.conf." + iface + ".arp_ignore=1",
                    "net.ipv4.conf." + iface + ".arp_announce=2");
        }
        // Packets decapsulated by XDP arrive with the client as source on eth0: no reverse-path drop.
        ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf." + host.ifname() + ".rp_filter=0");
    }
}
