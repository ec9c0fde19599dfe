package io.xlb.config;

/** Scripts run on a VRRP state change: notify_master, _backup, _fault, _stop, and notify for all. */
public record Notify(String master, String backup, String fault, String stop, String any) {
    static final Notify NONE = new Notify(null, null, null, null, null);
}
