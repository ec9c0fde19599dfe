package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * Gratuitous ARP through an AF_PACKET socket: an ARP request for an address from itself, broadcast,
 * so switches and neighbours learn at once that the address moved to this interface's MAC (what a
 * new VRRP master sends, RFC 5798 §6.4.2).
 */
public final class GratuitousArp {
    private static final int ETH_P_ARP = 0x0806;
    private static final int ETH_P_IP = 0x0800;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPOP_REQUEST = 1;
    private static final int ARP_LENGTH = 28;
    private static final int SOCKADDR_LL = 20;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private GratuitousArp() {}

    /** The 28-byte ARP request announcing {@code address} at {@code mac}. */
    public static byte[] packet(byte[] mac, Inet4Address address) {
        return ByteBuffer.allocate(ARP_LENGTH).putShort((short) ARPHRD_ETHER).putShort((short) ETH_P_IP)
                .put((byte) 6).put((byte) 4).putShort((short) ARPOP_REQUEST)
                .put(mac).put(address.getAddress()).put(new byte[6]).put(address.getAddress()).array();
    }

    /** Broadcasts one gratuitous ARP for {@code address} on interface {@code ifindex} whose MAC is {@code mac}. */
    public static void send(int ifindex, byte[] mac, Inet4Address address) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = Native.callState(tmp);
            int fd = (int) LibC.socket.invokeExact(state, LibC.AF_PACKET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC,
                    (int) Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ARP)));
            if (fd < 0) {
                throw new SysException("socket", Native.errno(state), "AF_PACKET for ARP");
            }
            try {
                // struct sockaddr_ll: family, protocol (BE), ifindex, hatype, pkttype, halen, addr[8]
                MemorySegment ll = tmp.allocate(SOCKADDR_LL, 4);
                ll.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_PACKET);
                ll.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ARP));
                ll.set(ValueLayout.JAVA_INT, 4, ifindex);
                ll.set(ValueLayout.JAVA_SHORT, 8, (short) ARPHRD_ETHER);
                ll.set(ValueLayout.JAVA_BYTE, 11, (byte) 6);
                MemorySegment.copy(BROADCAST, 0, ll, ValueLayout.JAVA_BYTE, 12, 6);
                byte[] arp = packet(mac, address);
                long n = (long) LibC.sendto.invokeExact(state, fd, tmp.allocateFrom(ValueLayout.JAVA_BYTE, arp), (long) arp.length, 0, ll,
                        SOCKADDR_LL);
                if (n < 0) {
                    throw new SysException("sendto", Native.errno(state), "gratuitous ARP for " + address.getHostAddress());
                }
            } finally {
                int unused = (int) LibC.close.invokeExact(state, fd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
