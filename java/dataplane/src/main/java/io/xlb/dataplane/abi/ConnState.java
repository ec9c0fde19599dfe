package io.xlb.dataplane.abi;

/** enum xlb_conn_state, with the names ipvsadm -Lnc shows. */
public enum ConnState {
    NONE, ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, UDP, FRAG;

    public static ConnState of(int code) {
        ConnState[] all = values();
        return code >= 0 && code < all.length ? all[code] : NONE;
    }
}
