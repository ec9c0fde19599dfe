package io.xlb.sys;

import io.xlb.sys.netlink.Attributes;
import io.xlb.sys.netlink.NetlinkSocket;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's neighbour table (ARP, NDP) over rtnetlink, in the calling thread's namespace.
 * {@link #manage} asks the kernel to resolve an address and keep it resolved (a managed entry,
 * Linux 5.16+): the director learns real servers' MACs without sending traffic itself.
 */
public final class Neighbours implements AutoCloseable {
    // linux/rtnetlink.h, linux/neighbour.h, linux/socket.h
    private static final int RTM_NEWNEIGH = 28;
    private static final int RTM_DELNEIGH = 29;
    private static final int RTM_GETNEIGH = 30;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int NDA_FLAGS_EXT = 15;
    private static final int NTF_EXT_MANAGED = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int NDMSG = 12;
    /** RTMGRP_NEIGH: notifications of neighbour changes. */
    public static final int GROUP_NEIGH = 4;

    /** NUD_* states (linux/neighbour.h). */
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
    private static final int NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;

    /** An entry: interface, address, link-layer address (if known), NUD state, managed or not. */
    public record Neighbour(int ifindex, InetAddress address, Optional<String> mac, int state, boolean managed) {
        /** A MAC that can be used now (the kernel's NUD_VALID). */
        public Optional<String> usableMac() {
            return (state & NUD_VALID) != 0 ? mac : Optional.empty();
        }
    }

    private final NetlinkSocket socket;

    private Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static Neighbours open() {
        return new Neighbours(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, 0, Duration.ofSeconds(5)));
    }

    /** Creates or replaces a managed entry for {@code address} on {@code ifindex}: the kernel resolves it. */
    public void manage(int ifindex, InetAddress address) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(ndmsg(family(address), ifindex));
        Attributes.put(m, NDA_DST, address.getAddress());
        Attributes.put(m, NDA_FLAGS_EXT, Attributes.u32(NTF_EXT_MANAGED));
        socket.request(RTM_NEWNEIGH, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK
                | NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_REPLACE, m.toByteArray(),
                "manage neighbour " + address.getHostAddress() + " on ifindex " + ifindex);
    }

    /** Removes an entry (managed or learned); false if there was none. */
    public boolean forget(int ifindex, InetAddress address) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(ndmsg(family(address), ifindex));
        Attributes.put(m, NDA_DST, address.getAddress());
        try {
            socket.request(RTM_DELNEIGH, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK, m.toByteArray(),
                    "forget neighbour " + address.getHostAddress());
            return true;
        } catch (SysException e) {
            if (e.errno() == 2) { // ENOENT
                return false;
            }
            throw e;
        }
    }

    /** Every entry of both families. */
    public List<Neighbour> dump() {
        List<Neighbour> out = new ArrayList<>();
        for (NetlinkSocket.Message m : socket.request(RTM_GETNEIGH, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP,
                ndmsg(0, 0), "dump neighbours")) {
            parse(m).ifPresent(out::add);
        }
        return out;
    }

    public Optional<Neighbour> lookup(int ifindex, InetAddress address) {
        return dump().stream().filter(n -> n.ifindex() == ifindex && n.address().equals(address)).findFirst();
    }

    static Optional<Neighbour> parse(NetlinkSocket.Message m) {
        if (m.type() != RTM_NEWNEIGH || m.payload().limit() < NDMSG) {
            return Optional.empty();
        }
        ByteBuffer p = m.payload();
        int family = Byte.toUnsignedInt(p.get(0));
        int ifindex = p.getInt(4);
        int state = Short.toUnsignedInt(p.getShort(8));
        Map<Integer, byte[]> attrs = Attributes.parse(p, NDMSG);
        byte[] dst = attrs.get(NDA_DST);
        if (dst == null || (family != AF_INET && family != AF_INET6)) {
            return Optional.empty();
        }
        try {
            InetAddress address = InetAddress.getByAddress(dst);
            byte[] ll = attrs.get(NDA_LLADDR);
            Optional<String> mac = ll == null || ll.length != 6 ? Optional.empty()
                    : Optional.of(HexFormat.ofDelimiter(":").formatHex(ll));
            byte[] ext = attrs.get(NDA_FLAGS_EXT);
            boolean managed = ext != null && (ByteBuffer.wrap(ext).order(ByteOrder.nativeOrder()).getInt() & NTF_EXT_MANAGED) != 0;
            return Optional.of(new Neighbour(ifindex, address, mac, state, managed));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static byte[] ndmsg(int family, int ifindex) {
        // struct ndmsg: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8
        return ByteBuffer.allocate(NDMSG).order(ByteOrder.nativeOrder()).put((byte) family).put((byte) 0)
                .putShort((short) 0).putInt(ifindex).putShort((short) 0).put((byte) 0).put((byte) 0).array();
    }

    private static int family(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    @Override
    public void close() {
        socket.close();
    }
}
