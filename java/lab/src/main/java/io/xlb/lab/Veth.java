package io.xlb.lab;

/**
 * A veth pair with one end in each of two namespaces, addressed and up, with transmit checksum
 * offload off (a frame that XDP bounces would otherwise arrive with a partial checksum).
 * Deleting either namespace deletes the pair.
 */
public record Veth(Netns leftNs, String left, Netns rightNs, String right) {

    public static Veth create(Netns leftNs, String left, String leftCidr, Netns rightNs, String right, String rightCidr) {
        Command.of("ip", "link", "add", left, "netns", leftNs.name(), "type", "veth",
                "peer", "name", right, "netns", rightNs.name()).run();
        Veth v = new Veth(leftNs, left, rightNs, right);
        v.configure(leftNs, left, leftCidr);
        v.configure(rightNs, right, rightCidr);
        return v;
    }

    private void configure(Netns ns, String ifname, String cidr) {
        if (cidr != null) {
            ns.exec("ip", "addr", "add", cidr, "dev", ifname);
        }
        ns.exec("ethtool", "-K", ifname, "tx", "off");
        ns.exec("ip", "link", "set", ifname, "up");
    }

    /**
     * The MAC address of an interface in {@code ns}, e.g. {@code 02:ab:...}. Asked of netlink, not
     * read from /sys: commands run by nsenter keep the caller's mount namespace, so /sys/class/net
     * there describes the caller's interfaces, not the namespace's.
     */
    public static String mac(Netns ns, String ifname) {
        String out = ns.exec("ip", "-o", "link", "show", "dev", ifname);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no Ethernet address for " + ifname + " in " + ns + ": " + out);
        }
        return m.group(1);
    }
}
