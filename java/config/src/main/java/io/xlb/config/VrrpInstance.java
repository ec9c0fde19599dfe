package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** {@code vrrp_instance NAME}. Defaults as keepalived: BACKUP, priority 100, advert 1 s, VRRPv2. */
public record VrrpInstance(String name, State state, String interfaceName, int virtualRouterId, int priority,
                           Duration advertInt, int version, Authentication authentication,
                           List<VirtualAddress> virtualIpaddress, List<VirtualAddress> virtualIpaddressExcluded,
                           boolean nopreempt, Duration preemptDelay, InetAddress unicastSrcIp, List<InetAddress> unicastPeers,
                           List<TrackInterface> trackInterfaces, List<TrackScript> trackScripts, Notify notifyScripts,
                           Duration garpMasterDelay, Integer garpMasterRepeat, Duration garpMasterRefresh,
                           Boolean smtpAlert, boolean dontTrackPrimary, Boolean accept, SourcePos pos) implements Model {
    public VrrpInstance {
        virtualIpaddress = List.copyOf(virtualIpaddress);
        virtualIpaddressExcluded = List.copyOf(virtualIpaddressExcluded);
        unicastPeers = List.copyOf(unicastPeers);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
    }

    public enum State { MASTER, BACKUP }

    public enum AuthType { PASS, AH }

    /** {@code authentication { auth_type, auth_pass }}; the password as used (at most 8 characters). */
    public record Authentication(AuthType type, String pass) {}

    /** An address of {@code virtual_ipaddress}: {@code addr[/len] [dev D] [label L] [scope S] [brd B]}. */
    public record VirtualAddress(InetAddress address, int prefixLength, String dev, String label, String scope,
                                 String broadcast, SourcePos pos) {}

    /** {@code track_interface { NAME [weight W] }}: weight null (0) puts the instance in fault while NAME is down. */
    public record TrackInterface(String name, Integer weight) {}

    /** {@code track_script { NAME [weight W [reverse]] }}. */
    public record TrackScript(String name, Integer weight, boolean reverse) {}
}
