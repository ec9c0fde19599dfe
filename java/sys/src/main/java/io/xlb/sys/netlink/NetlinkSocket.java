package io.xlb.sys.netlink;

import io.xlb.ffi.Native;
import io.xlb.sys.SysException;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket in the calling thread's network namespace: requests with a sequence number,
 * replies gathered until the kernel's ACK or end of dump, errors thrown with their errno.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0;
    // linux/netlink.h
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_CREATE = 0x400;
    static final int HEADER = 16;
    private static final int RECEIVE_BUFFER = 1 << 16;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final MemorySegment buffer;
    private int sequence;
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
        this.buffer = arena.allocate(RECEIVE_BUFFER);
    }

    /** Opens a socket of {@code protocol}, joined to the multicast {@code groups} bitmask (0: none). */
    public static NetlinkSocket open(int protocol, int groups, Duration receiveTimeout) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int fd = (int) LibC.socket.invokeExact(state, LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new SysException("socket", Native.errno(state), "AF_NETLINK protocol " + protocol);
            }
            NetlinkSocket s = new NetlinkSocket(fd);
            try {
                MemorySegment addr = tmp.allocate(12, 4); // struct sockaddr_nl
                addr.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_NETLINK);
                addr.set(ValueLayout.JAVA_INT, 8, groups);
                int rc = (int) LibC.bind.invokeExact(state, fd, addr, 12);
                if (rc < 0) {
                    throw new SysException("bind", Native.errno(state), "netlink groups " + groups);
                }
                MemorySegment tv = tmp.allocate(16, 8); // struct timeval
                tv.set(ValueLayout.JAVA_LONG, 0, receiveTimeout.toSeconds());
                tv.set(ValueLayout.JAVA_LONG, 8, receiveTimeout.toMillisPart() * 1000L);
                rc = (int) LibC.setsockopt.invokeExact(state, fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16);
                if (rc < 0) {
                    throw new SysException("setsockopt", Native.errno(state), "SO_RCVTIMEO");
                }
                return s;
            } catch (Throwable t) {
                s.close();
                throw t;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A message: type, flags, and the payload after the 16-byte header (little-endian). */
    public record Message(int type, int flags, ByteBuffer payload) {}

    /**
     * Sends {@code type} with {@code flags} and {@code payload}; returns the replies (for a dump,
     * every part; for a request with NLM_F_ACK, none). A kernel error is thrown as a SysException.
     */
    public synchronized List<Message> request(int type, int flags, byte[] payload, String what) {
        int seq = ++sequence;
        ByteBuffer msg = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.nativeOrder());
        msg.putInt(HEADER + payload.length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0).put(payload);
        send(msg.array(), what);
        List<Message> replies = new ArrayList<>();
        while (true) {
            for (Message m : receive(what)) {
                if (m.type() == NLMSG_ERROR) {
                    int error = m.payload().getInt(0);
                    if (error != 0) {
                        throw new SysException("netlink " + what, -error, "message type " + type);
                    }
                    return replies; // the ACK
                }
                if (m.type() == NLMSG_DONE) {
                    return replies;
                }
                replies.add(m);
                if ((m.flags() & NLM_F_MULTI) == 0 && (flags & NLM_F_ACK) == 0) {
                    return replies;
                }
            }
        }
    }

    /** Multicast notifications, as they come; empty when the receive timeout passes first. */
    public List<Message> receiveNotifications() {
        return receive("notifications", true);
    }

    private void send(byte[] bytes, String what) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            MemorySegment data = tmp.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment to = tmp.allocate(12, 4);
            to.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_NETLINK);
            long n = (long) LibC.sendto.invokeExact(state, fd, data, (long) bytes.length, 0, to, 12);
            if (n < 0) {
                throw new SysException("sendto", Native.errno(state), "netlink " + what);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private List<Message> receive(String what) {
        return receive(what, false);
    }

    private List<Message> receive(String what, boolean timeoutIsEmpty) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            long n;
            do {
                n = (long) LibC.recv.invokeExact(state, fd, buffer, buffer.byteSize(), 0);
            } while (n < 0 && Native.errno(state) == LibC.EINTR);
            if (n < 0) {
                int errno = Native.errno(state);
                if (errno == LibC.EAGAIN && timeoutIsEmpty) {
                    return List.of();
                }
                throw new SysException("recv", errno, "netlink " + what);
            }
            ByteBuffer all = ByteBuffer.wrap(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
            List<Message> out = new ArrayList<>();
            int at = 0;
            while (at + HEADER <= n) {
                int len = all.getInt(at);
                if (len < HEADER || at + len > n) {
                    break; // truncated: the kernel never sends that; stop rather than misparse
                }
                int type = Short.toUnsignedInt(all.getShort(at + 4));
                int flags = Short.toUnsignedInt(all.getShort(at + 6));
                ByteBuffer payload = all.slice(at + HEADER, len - HEADER).order(ByteOrder.nativeOrder());
                out.add(new Message(type, flags, payload));
                at += align(len);
            }
            return out;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int align(int len) {
        return (len + 3) & ~3;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena tmp = Arena.ofConfined()) {
            int ignored = (int) LibC.close.invokeExact(Native.callState(tmp), fd);
        } catch (Throwable t) {
            // closing an fd we own: nothing useful to do on failure
        } finally {
            arena.close();
        }
    }
}
