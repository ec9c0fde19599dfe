package io.xlb.dataplane.abi;

/** enum xlb_conn_state, with the names ipvsadm -Lnc shows. */
public enum ConnState {
    NONE(2), ESTABLISHED(900), SYN_RECV(60), FIN_WAIT(120), TIME_WAIT(120), CLOSE(10), UDP(300), FRAG(30);

    /** IPVS's default timeout of the state, in seconds (bpf/include/conn.h has the same table). */
    public final int defaultTimeoutSeconds;

    ConnState(int defaultTimeoutSeconds) {
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
    }

    /** Counted in ipvsadm's ActiveConn (ESTABLISHED) or InActConn (the rest), or neither. */
    public boolean counted() {
        return this != NONE && this != FRAG;
    }

    public static ConnState of(int code) {
        ConnState[] all = values();
        return code >= 0 && code < all.length ? all[code] : NONE;
    }
}
