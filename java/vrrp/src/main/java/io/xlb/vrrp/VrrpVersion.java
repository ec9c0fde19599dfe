package io.xlb.vrrp;

/** The two VRRP versions keepalived speaks: RFC 3768 (IPv4 only, seconds) and RFC 5798 (centiseconds). */
public enum VrrpVersion {
    V2(2),
    V3(3);

    private final int wire;

    VrrpVersion(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }
}
