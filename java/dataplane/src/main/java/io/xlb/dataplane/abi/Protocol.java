package io.xlb.dataplane.abi;

/** The L4 protocols a service can have, with their IP protocol numbers. */
public enum Protocol {
    TCP(6), UDP(17);

    public final int number;

    Protocol(int number) {
        this.number = number;
    }

    public static Protocol of(int number) {
        for (Protocol p : values()) {
            if (p.number == number) {
                return p;
            }
        }
        throw new IllegalArgumentException("not TCP or UDP: protocol " + number);
    }
}
