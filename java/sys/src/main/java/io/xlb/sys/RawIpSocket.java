package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 raw socket for one IP protocol on one interface, in the calling thread's namespace: what
 * VRRP needs (protocol 112, TTL 255, multicast group joined on the interface, TOS internetwork
 * control). Sends from a chosen source address; receives whole datagrams with their TTL and
 * addresses, read from the IP header the kernel hands raw sockets.
 */
public final class RawIpSocket extends RawSocket {
    private static final int SOCKADDR_IN = 16;
    private static final int IP_MREQN = 12;
    static final int TOS_INTERNETWORK_CONTROL = 0xc0;
    private static final int IPV4_MIN_HEADER = 20;

    private final MemorySegment buffer;

    private RawIpSocket(int fd, int protocol) {
        super(fd, protocol);
        this.buffer = arena.allocate(MAX_DATAGRAM);
    }

    /**
     * Opens a raw socket for {@code protocol} bound to interface {@code ifname}, sending from {@code source},
     * joined to {@code group} there, sending with TTL 255. Without a group (unicast peers) the socket
     * is bound to {@code source}: it sends from it and receives only datagrams addressed to it.
     */
    public static RawIpSocket open(int protocol, String ifname, int ifindex, Inet4Address source,
            Optional<Inet4Address> group, Duration receiveTimeout) {
        RawIpSocket s = new RawIpSocket(open(LibC.AF_INET, protocol), protocol);
        return configured(s, tmp -> {
            s.setsockopt(tmp, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, tmp.allocateFrom(ifname), "SO_BINDTODEVICE " + ifname);
            s.setInt(tmp, LibC.IPPROTO_IP, LibC.IP_TTL, 255, "IP_TTL");
            s.setInt(tmp, LibC.IPPROTO_IP, LibC.IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL");
            s.setInt(tmp, LibC.IPPROTO_IP, LibC.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
            s.setInt(tmp, LibC.IPPROTO_IP, LibC.IP_TOS, TOS_INTERNETWORK_CONTROL, "IP_TOS");
            s.setsockopt(tmp, LibC.IPPROTO_IP, LibC.IP_MULTICAST_IF, mreqn(tmp, null, source, ifindex), "IP_MULTICAST_IF");
            if (group.isPresent()) {
                s.setsockopt(tmp, LibC.IPPROTO_IP, LibC.IP_ADD_MEMBERSHIP, mreqn(tmp, group.get(), null, ifindex),
                        "IP_ADD_MEMBERSHIP " + group.get().getHostAddress() + " on " + ifname);
            }
            s.setReceiveTimeout(tmp, receiveTimeout);
            // With a group, no bind(): a raw socket bound to an address only receives datagrams addressed
            // to it, not the group's. The source comes from IP_MULTICAST_IF's imr_address instead.
            if (group.isEmpty()) {
                MemorySegment state = Native.callState(tmp);
                int rc = (int) LibC.bind.invokeExact(state, s.fd, sockaddrIn(tmp, source), SOCKADDR_IN);
                if (rc < 0) {
                    throw new SysException("bind", Native.errno(state), source.getHostAddress());
                }
            }
        });
    }

    @Override
    public void send(byte[] payload, InetAddress destination) {
        if (!(destination instanceof Inet4Address to)) {
            throw new IllegalArgumentException("an IPv4 socket cannot send to " + destination.getHostAddress());
        }
        send(payload, to);
    }

    /** Sends {@code payload} as one datagram to {@code destination}. */
    public void send(byte[] payload, Inet4Address destination) {
        try (Arena tmp = Arena.ofConfined()) {
            sendTo(tmp, payload, sockaddrIn(tmp, destination), destination);
        }
    }

    @Override
    public Optional<Datagram> receive() {
        if (closed) {
            return Optional.empty();
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            long n = received((long) LibC.recvfrom.invokeExact(state, fd, buffer, (long) MAX_DATAGRAM, 0, MemorySegment.NULL,
                    MemorySegment.NULL), state, "recvfrom");
            if (n < 0) {
                return Optional.empty();
            }
            byte[] ip = buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            int ihl = (ip.length > 0 ? ip[0] & 0x0f : 0) * 4;
            if (ip.length < IPV4_MIN_HEADER || ihl < IPV4_MIN_HEADER || ihl > ip.length) {
                return Optional.empty();
            }
            return Optional.of(new Datagram(Arrays.copyOfRange(ip, ihl, ip.length), ip[8] & 0xff,
                    address(Arrays.copyOfRange(ip, 12, 16)), address(Arrays.copyOfRange(ip, 16, 20))));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** struct ip_mreqn { struct in_addr imr_multiaddr, imr_address; int imr_ifindex; } */
    private static MemorySegment mreqn(Arena arena, Inet4Address group, Inet4Address local, int ifindex) {
        MemorySegment m = arena.allocate(IP_MREQN, 4);
        if (group != null) {
            MemorySegment.copy(group.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 0, 4);
        }
        if (local != null) {
            MemorySegment.copy(local.getAddress(), 0, m, ValueLayout.JAVA_BYTE, 4, 4);
        }
        m.set(ValueLayout.JAVA_INT, 8, ifindex);
        return m;
    }

    /** struct sockaddr_in, port 0 (raw sockets have none). */
    private static MemorySegment sockaddrIn(Arena arena, Inet4Address address) {
        MemorySegment sa = arena.allocate(SOCKADDR_IN, 4);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_INET);
        MemorySegment.copy(address.getAddress(), 0, sa, ValueLayout.JAVA_BYTE, 4, 4);
        return sa;
    }
}
