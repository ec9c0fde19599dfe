package io.xlb.dataplane.abi;

/** enum xlb_method: how a packet reaches its real. */
public enum Method {
    /** Direct routing: the real's MAC, same L2 segment, the VIP on the real's loopback. */
    DR(0),
    /** IP tunnelling: IPIP / IP6IP6 to the real, which decapsulates. */
    TUN(1),
    /** Masquerading: the destination rewritten to the real's address and port; replies come back through the director. */
    NAT(2);

    public final int code;

    Method(int code) {
        this.code = code;
    }

    public static Method of(int code) {
        return switch (code) {
            case 1 -> TUN;
            case 2 -> NAT;
            default -> DR;
        };
    }
}
