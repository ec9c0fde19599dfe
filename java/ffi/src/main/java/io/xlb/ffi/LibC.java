package io.xlb.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The libc functions xlb calls (java/bpf and java/sys alike), one downcall handle per C function,
 * in jextract's shape. Handles made by {@code h} take a leading call-state segment in which the
 * linker captures errno ({@link Native#callState}).
 */
public final class LibC {
    private LibC() {}

    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();

    // fcntl.h
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    // sched.h
    public static final int CLONE_NEWNET = 0x40000000;

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return Native.errnoDowncall(LIBC, name, fd);
    }

    /** int open(const char *pathname, int flags) */
    public static final MethodHandle open = h("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int statfs(const char *path, struct statfs *buf) */
    public static final MethodHandle statfs = h("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** sizeof(struct statfs) on x86-64; f_type, a long, comes first. */
    public static final int STATFS_SIZE = 120;
    /** int close(int fd) */
    public static final MethodHandle close = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** int setns(int fd, int nstype) */
    public static final MethodHandle setns = h("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** unsigned int if_nametoindex(const char *ifname) */
    public static final MethodHandle if_nametoindex = h("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask) */
    public static final MethodHandle sched_setaffinity = h("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, java.lang.foreign.ValueLayout.JAVA_LONG, ADDRESS));
    /** int kill(pid_t pid, int sig) */
    public static final MethodHandle kill = h("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    public static final int SIGHUP = 1;
    /** sighandler_t signal(int signum, sighandler_t handler); SIG_DFL is the null handler */
    public static final MethodHandle signal = h("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    /** int socket(int domain, int type, int protocol) */
    public static final MethodHandle socket = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen) */
    public static final MethodHandle bind = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen) */
    public static final MethodHandle sendto = h("sendto", FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
            JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t recv(int sockfd, void *buf, size_t len, int flags) */
    public static final MethodHandle recv = h("recv", FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
            JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, JAVA_INT));
    /** int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen) */
    public static final MethodHandle setsockopt = h("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen) */
    public static final MethodHandle recvfrom = h("recvfrom", FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
            JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags) */
    public static final MethodHandle recvmsg = h("recvmsg", FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
            JAVA_INT, ADDRESS, JAVA_INT));

    // netinet/in.h, linux/in6.h, linux/ipv6.h: IPv6 sockets
    public static final int AF_INET6 = 10;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_RECVHOPLIMIT = 51;
    public static final int IPV6_HOPLIMIT = 52;
    public static final int IPV6_TCLASS = 67;

    /** struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo; struct in6_addr sin6_addr; uint32_t sin6_scope_id; } */
    public static final StructLayout sockaddr_in6 = MemoryLayout.structLayout(
            java.lang.foreign.ValueLayout.JAVA_SHORT.withName("sin6_family"), java.lang.foreign.ValueLayout.JAVA_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"), MemoryLayout.sequenceLayout(16, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");
    /** struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr; int ipv6mr_interface; } */
    public static final StructLayout ipv6_mreq = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("ipv6mr_multiaddr"),
            JAVA_INT.withName("ipv6mr_interface")).withName("ipv6_mreq");
    /** struct in6_pktinfo { struct in6_addr ipi6_addr; int ipi6_ifindex; } */
    public static final StructLayout in6_pktinfo = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("ipi6_addr"),
            JAVA_INT.withName("ipi6_ifindex")).withName("in6_pktinfo");
    /** struct iovec { void *iov_base; size_t iov_len; } */
    public static final StructLayout iovec = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("iov_len")).withName("iovec");
    /** struct msghdr { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags; } */
    public static final StructLayout msghdr = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4)).withName("msghdr");
    /** struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } followed by the data, 8-aligned. */
    public static final StructLayout cmsghdr = MemoryLayout.structLayout(
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("cmsg_len"), JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    // netinet/in.h, linux/in.h, linux/if_packet.h
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int IPPROTO_IP = 0;
    public static final int IP_TOS = 1;
    public static final int IP_TTL = 2;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_SNDTIMEO = 21;
    // sys/socket.h, linux/netlink.h
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVTIMEO = 20;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    /** sizeof(cpu_set_t) in glibc: 1024 CPUs. */
    public static final int CPU_SET_BYTES = 128;
    /** uid_t geteuid(void): never fails. */
    public static final MethodHandle geteuid = Native.downcall(LIBC, "geteuid", FunctionDescriptor.of(JAVA_INT));

    /** const char *strerrordesc_np(int errnum): thread-safe, unlike strerror. */
    public static final MethodHandle strerrordesc_np =
            Native.downcall(LIBC, "strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** const char *strerrorname_np(int errnum): "ENOENT" for 2. */
    public static final MethodHandle strerrorname_np =
            Native.downcall(LIBC, "strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** int vsnprintf(char *str, size_t size, const char *format, va_list ap): on x86-64 a va_list argument is a pointer. */
    public static final MethodHandle vsnprintf = Native.downcall(LIBC, "vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, ADDRESS, ADDRESS));

    /** A C string of unbounded length read from a pointer libc returned (null for NULL). */
    public static String string(MemorySegment cstr) {
        return cstr.equals(MemorySegment.NULL) ? null : cstr.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
