package io.xlb.config;

import java.net.InetAddress;
import java.util.List;

/** {@code virtual_server_group NAME}: addresses (or ranges), ports and fwmarks sharing one service. */
public record VirtualServerGroup(String name, List<Member> members, SourcePos pos) implements Model {
    public VirtualServerGroup {
        members = List.copyOf(members);
    }

    /** {@code ADDR[-LAST] PORT}, or {@code fwmark N}. */
    public sealed interface Member permits AddressRange, Fwmark {}

    /** {@code 10.0.0.1-5 80}: the last octet (or group) range, as keepalived writes it. */
    public record AddressRange(InetAddress first, int rangeEnd, int port, SourcePos pos) implements Member {}

    public record Fwmark(int mark, SourcePos pos) implements Member {}
}
