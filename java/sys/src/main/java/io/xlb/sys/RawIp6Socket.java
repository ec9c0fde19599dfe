package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * An IPv6 raw socket for one protocol on one interface, in the calling thread's namespace: what
 * VRRPv3 over IPv6 needs (protocol 112, hop limit 255, ff02::12 joined on the interface, traffic
 * class internetwork control). The kernel picks the interface's link-local address as source.
 * IPv6 raw sockets get no IP header, so the hop limit and destination of each datagram come as
 * ancillary data (IPV6_HOPLIMIT, IPV6_PKTINFO) through recvmsg.
 */
public final class RawIp6Socket extends RawSocket {
    private static final int CONTROL_BYTES = 128;
    private static final long CMSG_ALIGN = 8;

    private final int ifindex;
    private final MemorySegment buffer;
    private final MemorySegment control;
    private final MemorySegment name;
    private final MemorySegment iov;
    private final MemorySegment msg;

    private RawIp6Socket(int fd, int protocol, int ifindex) {
        super(fd, protocol);
        this.ifindex = ifindex;
        this.buffer = arena.allocate(MAX_DATAGRAM);
        this.control = arena.allocate(CONTROL_BYTES, CMSG_ALIGN);
        this.name = arena.allocate(LibC.sockaddr_in6);
        this.iov = arena.allocate(LibC.iovec);
        this.msg = arena.allocate(LibC.msghdr);
    }

    /** Opens a raw socket for {@code protocol} on {@code ifname}, joined to {@code group} there (none if empty). */
    public static RawIp6Socket open(int protocol, String ifname, int ifindex, Optional<Inet6Address> group, Duration receiveTimeout) {
        RawIp6Socket s = new RawIp6Socket(open(LibC.AF_INET6, protocol), protocol, ifindex);
        return configured(s, tmp -> {
            s.setsockopt(tmp, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, tmp.allocateFrom(ifname), "SO_BINDTODEVICE " + ifname);
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_TCLASS, RawIpSocket.TOS_INTERNETWORK_CONTROL, "IPV6_TCLASS");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            s.setInt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            if (group.isPresent()) {
                MemorySegment mreq = tmp.allocate(LibC.ipv6_mreq);
                MemorySegment.copy(group.get().getAddress(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
                mreq.set(ValueLayout.JAVA_INT, LibC.ipv6_mreq.byteOffset(PathElement.groupElement("ipv6mr_interface")), ifindex);
                s.setsockopt(tmp, LibC.IPPROTO_IPV6, LibC.IPV6_ADD_MEMBERSHIP, mreq,
                        "IPV6_ADD_MEMBERSHIP " + group.get().getHostAddress() + " on " + ifname);
            }
            s.setReceiveTimeout(tmp, receiveTimeout);
        });
    }

    @Override
    public void send(byte[] payload, InetAddress destination) {
        if (!(destination instanceof Inet6Address)) {
            throw new IllegalArgumentException("an IPv6 socket cannot send to " + destination.getHostAddress());
        }
        try (Arena tmp = Arena.ofConfined()) {
            sendTo(tmp, payload, sockaddrIn6(tmp, destination, ifindex), destination);
        }
    }

    @Override
    public Optional<Datagram> receive() {
        if (closed) {
            return Optional.empty();
        }
        try (Arena tmp = Arena.ofConfined()) {
            iov.set(ValueLayout.ADDRESS, LibC.iovec.byteOffset(PathElement.groupElement("iov_base")), buffer);
            iov.set(ValueLayout.JAVA_LONG, LibC.iovec.byteOffset(PathElement.groupElement("iov_len")), MAX_DATAGRAM);
            msg.fill((byte) 0);
            msg.set(ValueLayout.ADDRESS, LibC.msghdr.byteOffset(PathElement.groupElement("msg_name")), name);
            msg.set(ValueLayout.JAVA_INT, LibC.msghdr.byteOffset(PathElement.groupElement("msg_namelen")), (int) name.byteSize());
            msg.set(ValueLayout.ADDRESS, LibC.msghdr.byteOffset(PathElement.groupElement("msg_iov")), iov);
            msg.set(ValueLayout.JAVA_LONG, LibC.msghdr.byteOffset(PathElement.groupElement("msg_iovlen")), 1L);
            msg.set(ValueLayout.ADDRESS, LibC.msghdr.byteOffset(PathElement.groupElement("msg_control")), control);
            msg.set(ValueLayout.JAVA_LONG, LibC.msghdr.byteOffset(PathElement.groupElement("msg_controllen")), (long) CONTROL_BYTES);
            MemorySegment state = Native.callState(tmp);
            long n = received((long) LibC.recvmsg.invokeExact(state, fd, msg, 0), state, "recvmsg");
            if (n < 0) {
                return Optional.empty();
            }
            int hopLimit = -1;
            InetAddress destination = null;
            long controlLen = msg.get(ValueLayout.JAVA_LONG, LibC.msghdr.byteOffset(PathElement.groupElement("msg_controllen")));
            long header = LibC.cmsghdr.byteSize();
            for (long at = 0; at + header <= controlLen; ) {
                long len = control.get(ValueLayout.JAVA_LONG, at);
                int level = control.get(ValueLayout.JAVA_INT, at + 8);
                int type = control.get(ValueLayout.JAVA_INT, at + 12);
                if (len < header || at + len > controlLen) {
                    break;
                }
                if (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_HOPLIMIT) {
                    hopLimit = control.get(ValueLayout.JAVA_INT, at + header);
                } else if (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_PKTINFO) {
                    destination = address(control.asSlice(at + header, 16).toArray(ValueLayout.JAVA_BYTE));
                }
                at += (len + CMSG_ALIGN - 1) & -CMSG_ALIGN;
            }
            long addrOffset = LibC.sockaddr_in6.byteOffset(PathElement.groupElement("sin6_addr"));
            InetAddress source = address(name.asSlice(addrOffset, 16).toArray(ValueLayout.JAVA_BYTE));
            if (hopLimit < 0 || destination == null) {
                return Optional.empty(); // the kernel always sends both once asked; be safe
            }
            return Optional.of(new Datagram(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), hopLimit, source, destination));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** struct sockaddr_in6 with the interface as scope (link-local and multicast destinations need it). */
    static MemorySegment sockaddrIn6(Arena arena, InetAddress address, int ifindex) {
        MemorySegment sa = arena.allocate(LibC.sockaddr_in6);
        sa.set(ValueLayout.JAVA_SHORT, LibC.sockaddr_in6.byteOffset(PathElement.groupElement("sin6_family")), (short) LibC.AF_INET6);
        MemorySegment.copy(address.getAddress(), 0, sa, ValueLayout.JAVA_BYTE,
                LibC.sockaddr_in6.byteOffset(PathElement.groupElement("sin6_addr")), 16);
        sa.set(ValueLayout.JAVA_INT, LibC.sockaddr_in6.byteOffset(PathElement.groupElement("sin6_scope_id")), ifindex);
        return sa;
    }
}
