package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.Optional;

/**
 * A raw IP socket for one protocol, IPv4 ({@link RawIpSocket}) or IPv6 ({@link RawIp6Socket}):
 * the file descriptor, its options, and closing it. What VRRP sends and receives through either.
 */
public abstract sealed class RawSocket implements AutoCloseable permits RawIpSocket, RawIp6Socket {
    /** A datagram as received: IP payload, TTL / hop limit, source and destination. */
    public record Datagram(byte[] payload, int ttl, InetAddress source, InetAddress destination) {}

    protected static final int MAX_DATAGRAM = 65535;

    protected final Arena arena = Arena.ofShared();
    protected final int fd;
    protected final int protocol;
    protected volatile boolean closed;

    protected RawSocket(int fd, int protocol) {
        this.fd = fd;
        this.protocol = protocol;
    }

    /** Sends {@code payload} as one datagram to {@code destination} (of the socket's family). */
    public abstract void send(byte[] payload, InetAddress destination);

    /** The next datagram, or empty when the receive timeout passes (or the socket closed). */
    public abstract Optional<Datagram> receive();

    static int open(int family, int protocol) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int fd = (int) LibC.socket.invokeExact(state, family, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new SysException("socket", Native.errno(state), (family == LibC.AF_INET ? "AF_INET" : "AF_INET6")
                        + " raw, protocol " + protocol);
            }
            return fd;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** sendto(2) of {@code payload} to the socket address {@code to} (built in {@code tmp}). */
    void sendTo(Arena tmp, byte[] payload, MemorySegment to, InetAddress destination) {
        try {
            MemorySegment state = Native.callState(tmp);
            long n = (long) LibC.sendto.invokeExact(state, fd, tmp.allocateFrom(ValueLayout.JAVA_BYTE, payload), (long) payload.length, 0,
                    to, (int) to.byteSize());
            if (n < 0) {
                throw new SysException("sendto", Native.errno(state), destination.getHostAddress());
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A receive call's result: the byte count, or -1 when nothing came (timeout, interrupt, closed). */
    long received(long n, MemorySegment state, String call) {
        if (n >= 0) {
            return n;
        }
        int errno = Native.errno(state);
        if (errno == LibC.EAGAIN || errno == LibC.EINTR || closed) {
            return -1;
        }
        throw new SysException(call, errno, "raw protocol " + protocol);
    }

    /** An address read off the wire (4 or 16 bytes). */
    static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Socket options to set on a new socket, with a scratch arena. */
    @FunctionalInterface
    interface Options {
        void apply(Arena tmp) throws Throwable;
    }

    /** {@code s} once {@code options} are set; closed (and the failure thrown) if one cannot be. */
    static <S extends RawSocket> S configured(S s, Options options) {
        try (Arena tmp = Arena.ofConfined()) {
            options.apply(tmp);
            return s;
        } catch (Throwable t) {
            s.close();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(t);
        }
    }

    void setInt(Arena tmp, int level, int name, int value, String what) throws Throwable {
        setsockopt(tmp, level, name, tmp.allocateFrom(ValueLayout.JAVA_INT, value), what);
    }

    void setsockopt(Arena tmp, int level, int name, MemorySegment value, String what) throws Throwable {
        MemorySegment state = Native.callState(tmp);
        int rc = (int) LibC.setsockopt.invokeExact(state, fd, level, name, value, (int) value.byteSize());
        if (rc < 0) {
            throw new SysException("setsockopt", Native.errno(state), what);
        }
    }

    void setReceiveTimeout(Arena tmp, java.time.Duration timeout) throws Throwable {
        MemorySegment tv = tmp.allocate(16, 8); // struct timeval
        tv.set(ValueLayout.JAVA_LONG, 0, timeout.toSeconds());
        tv.set(ValueLayout.JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
        setsockopt(tmp, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, "SO_RCVTIMEO");
    }

    /** Closes the socket; no thread may be inside {@link #receive} (stop the receiver first). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena tmp = Arena.ofConfined()) {
            int unused = (int) LibC.close.invokeExact(Native.callState(tmp), fd);
        } catch (Throwable ignored) {
            // closing is best effort
        }
        arena.close();
    }
}
