package io.xlb.sys;

import io.xlb.sys.netlink.Attributes;
import io.xlb.sys.netlink.NetlinkSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Network interfaces' link state over rtnetlink (what {@code ip link show} reads), in the caller's
 * namespace. Unlike {@link java.net.NetworkInterface} this sees interfaces without an address.
 */
public final class Links implements AutoCloseable {
    // linux/rtnetlink.h, linux/if_link.h, linux/if.h
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int IFINFOMSG = 16;
    private static final int IFLA_IFNAME = 3;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;

    /** An interface: administratively up, and with carrier (IFF_RUNNING). */
    public record Link(int ifindex, String name, boolean adminUp, boolean running) {
        /** Usable: up and with carrier, as keepalived's tracking counts an interface. */
        public boolean up() {
            return adminUp && running;
        }
    }

    private final NetlinkSocket socket;

    private Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static Links open() {
        return new Links(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, 0, Duration.ofSeconds(5)));
    }

    /** Every interface, by name. */
    public Map<String, Link> list() {
        Map<String, Link> out = new LinkedHashMap<>();
        // struct ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32
        byte[] request = ByteBuffer.allocate(IFINFOMSG).order(ByteOrder.nativeOrder()).array();
        for (NetlinkSocket.Message m : socket.request(RTM_GETLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP,
                request, "list links")) {
            if (m.type() != RTM_NEWLINK || m.payload().limit() < IFINFOMSG) {
                continue;
            }
            ByteBuffer p = m.payload();
            int ifindex = p.getInt(4);
            int flags = p.getInt(8);
            byte[] name = Attributes.parse(p, IFINFOMSG).get(IFLA_IFNAME);
            if (name == null) {
                continue;
            }
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            String n = new String(name, 0, len, StandardCharsets.US_ASCII);
            out.put(n, new Link(ifindex, n, (flags & IFF_UP) != 0, (flags & IFF_RUNNING) != 0));
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
