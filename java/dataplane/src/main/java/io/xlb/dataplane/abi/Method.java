package io.xlb.dataplane.abi;

/** enum xlb_method: how a packet reaches its real. */
public enum Method {
    /** Direct routing: the real's MAC, same L2 segment, the VIP on the real's loopback. */
    DR(0),
    /** IP tunnelling: IPIP / IP6IP6 to the real, which decapsulates. */
    TUN(1);

    public final int code;

    Method(int code) {
        this.code = code;
    }

    public static Method of(int code) {
        return code == 1 ? TUN : DR;
    }
}
