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
import java.util.List;
import java.util.Map;

/** Interface addresses over rtnetlink (what {@code ip addr add/del/show} does), in the caller's namespace. */
public final class InterfaceAddresses implements AutoCloseable {
    // linux/rtnetlink.h, linux/if_addr.h
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int RTM_GETADDR = 22;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_LABEL = 3;
    private static final int IFA_BROADCAST = 4;
    private static final int IFADDRMSG = 8;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int EEXIST = 17;
    private static final int EADDRNOTAVAIL = 99;
    /** An IPv6 address usable at once, without duplicate address detection (a moving VIP is ours). */
    private static final int IFA_F_NODAD = 0x02;

    /** An address on an interface. */
    public record Address(int ifindex, InetAddress address, int prefixLength) {}

    private final NetlinkSocket socket;

    private InterfaceAddresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static InterfaceAddresses open() {
        return new InterfaceAddresses(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, 0, Duration.ofSeconds(5)));
    }

    /** Adds the address; false if it was already there. */
    public boolean add(int ifindex, InetAddress address, int prefixLength) {
        return add(ifindex, address, prefixLength, null);
    }

    /** Adds the address with an IPv4 {@code label} ("eth0:1", as {@code ip addr add ... label}; null: none). */
    public boolean add(int ifindex, InetAddress address, int prefixLength, String label) {
        return add(ifindex, address, prefixLength, label, RT_SCOPE_UNIVERSE, null);
    }

    /**
     * Adds the address as {@code ip addr add ADDR/LEN [label L] [scope S] [brd B]} does: {@code scope}
     * is rt_scope_t (0 global, 253 link, 254 host), {@code broadcast} IPv4 only (null: none).
     */
    public boolean add(int ifindex, InetAddress address, int prefixLength, String label, int scope, Inet4Address broadcast) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(header(address instanceof Inet4Address ? AF_INET : AF_INET6, prefixLength, ifindex, scope));
        Attributes.put(m, IFA_LOCAL, address.getAddress());
        Attributes.put(m, IFA_ADDRESS, address.getAddress());
        if (label != null && address instanceof Inet4Address) {
            byte[] text = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Attributes.put(m, IFA_LABEL, java.util.Arrays.copyOf(text, text.length + 1));
        }
        if (broadcast != null && address instanceof Inet4Address) {
            Attributes.put(m, IFA_BROADCAST, broadcast.getAddress());
        }
        try {
            socket.request(RTM_NEWADDR, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NetlinkSocket.NLM_F_CREATE
                    | 0x200 /* NLM_F_EXCL */, m.toByteArray(), "add address " + address.getHostAddress());
            return true;
        } catch (SysException e) {
            if (e.errno() == EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /** The broadcast address of {@code address}/{@code prefixLength} ({@code brd +}). */
    public static Inet4Address broadcastOf(Inet4Address address, int prefixLength) {
        int a = ByteBuffer.wrap(address.getAddress()).getInt();
        int host = prefixLength >= 32 ? 0 : -1 >>> prefixLength;
        try {
            return (Inet4Address) InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(a | host).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes the address; false if it was not there. */
    public boolean remove(int ifindex, InetAddress address, int prefixLength) {
        try {
            socket.request(RTM_DELADDR, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK,
                    message(ifindex, address, prefixLength), "remove address " + address.getHostAddress());
            return true;
        } catch (SysException e) {
            if (e.errno() == EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    public List<Address> list() {
        List<Address> out = new ArrayList<>();
        for (NetlinkSocket.Message m : socket.request(RTM_GETADDR, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP,
                header(0, 0, 0, RT_SCOPE_UNIVERSE), "list addresses")) {
            if (m.type() != RTM_NEWADDR || m.payload().limit() < IFADDRMSG) {
                continue;
            }
            ByteBuffer p = m.payload();
            int prefix = Byte.toUnsignedInt(p.get(1));
            int ifindex = p.getInt(4);
            Map<Integer, byte[]> attrs = Attributes.parse(p, IFADDRMSG);
            byte[] a = attrs.getOrDefault(IFA_LOCAL, attrs.get(IFA_ADDRESS));
            if (a == null) {
                continue;
            }
            try {
                out.add(new Address(ifindex, InetAddress.getByAddress(a), prefix));
            } catch (UnknownHostException e) {
                // not an address of 4 or 16 bytes: skip
            }
        }
        return out;
    }

    private static byte[] message(int ifindex, InetAddress address, int prefixLength) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(header(address instanceof Inet4Address ? AF_INET : AF_INET6, prefixLength, ifindex, RT_SCOPE_UNIVERSE));
        Attributes.put(m, IFA_LOCAL, address.getAddress());
        Attributes.put(m, IFA_ADDRESS, address.getAddress());
        return m.toByteArray();
    }

    private static byte[] header(int family, int prefixLength, int ifindex, int scope) {
        // struct ifaddrmsg: family u8, prefixlen u8, flags u8, scope u8, index u32
        return ByteBuffer.allocate(IFADDRMSG).order(ByteOrder.nativeOrder()).put((byte) family).put((byte) prefixLength)
                .put((byte) (family == AF_INET6 ? IFA_F_NODAD : 0)).put((byte) scope).putInt(ifindex).array();
    }

    @Override
    public void close() {
        socket.close();
    }
}
