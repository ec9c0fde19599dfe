package io.xlb.sys.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libc functions Java lacks, one downcall handle per C function, in jextract's shape. Each
 * handle takes a leading call-state segment in which the linker captures errno.
 */
public final class LibC {
    private LibC() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // fcntl.h
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    // sched.h
    public static final int CLONE_NEWNET = 0x40000000;

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd,
                Linker.Option.captureCallState("errno"));
    }

    /** int open(const char *pathname, int flags) */
    public static final MethodHandle open = h("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
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
    /** const char *strerrordesc_np(int errnum) */
    public static final MethodHandle strerrordesc_np = LINKER.downcallHandle(
            LIBC.find("strerrordesc_np").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) strerrordesc_np.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
