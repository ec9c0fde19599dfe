package io.xlb.vrrp;

/** Why a received advertisement was dropped; each is counted per instance, as keepalived's stats are. */
public enum DropReason {
    /** TTL / hop limit not 255: it crossed a router (RFC 5798 §7.1). */
    TTL,
    /** Not version 2 or 3, or not the instance's version. */
    VERSION,
    /** Not an advertisement (type 1). */
    TYPE,
    /** Shorter or longer than its address count says, or no address at all. */
    LENGTH,
    CHECKSUM,
    /** Another virtual router's advertisement. */
    VRID,
    /** VRRPv2 authentication type differs from the instance's (or is AH, which nobody implements). */
    AUTH_TYPE,
    /** VRRPv2 {@code PASS} authentication with another password. */
    AUTH_PASS,
    /** Interval 0, or (VRRPv2) not the instance's {@code advert_int}. */
    INTERVAL,
    /** The advertised addresses are not the instance's virtual addresses. */
    ADDRESS_LIST
}
