package io.xlb.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code virtual_server_group NAME { ADDR[-END] PORT ... fwmark N ... }}. Its lines are data (an
 * address range is the line's first word), not keywords, so it has no keyword table.
 */
final class VirtualServerGroupReader {
    private final Diagnostics d;

    VirtualServerGroupReader(Diagnostics d) {
        this.d = d;
    }

    VirtualServerGroup read(Node n) {
        String name = KeywordTable.blockName(n, d);
        if (name == null) {
            return null;
        }
        List<VirtualServerGroup.Member> members = new ArrayList<>();
        for (Node c : n.children()) {
            KeywordTable.noBlock(c, d);
            KeywordTable.add(members, member(c));
        }
        return new VirtualServerGroup(name, members, n.pos());
    }

    private VirtualServerGroup.Member member(Node c) {
        Values v = new Values(c, d);
        if (c.keyword().equals("fwmark")) {
            Integer mark = v.integer(0, 1, 0xffffffffL > Integer.MAX_VALUE ? Integer.MAX_VALUE : 0, "a mark");
            v.noMoreThan(1);
            return mark == null ? null : new VirtualServerGroup.Fwmark(mark, c.pos());
        }
        String text = c.keyword();
        int dash = text.lastIndexOf('-');
        String first = text;
        int end = -1;
        if (dash > 0 && text.substring(dash + 1).matches("\\d{1,3}") && !text.contains(":")) {
            first = text.substring(0, dash);
            end = Integer.parseInt(text.substring(dash + 1));
        }
        if (!Addresses.isLiteral(first)) {
            d.error(c.pos(), "not an IP address or range: '" + text + "'");
            return null;
        }
        byte[] bytes = java.net.InetAddress.ofLiteral(first).getAddress(); // IPv6: its last group
        int lastOctet = bytes.length == 4 ? bytes[3] & 0xff : ((bytes[14] & 0xff) << 8) | (bytes[15] & 0xff);
        if (end >= 0 && (end < lastOctet || end > 255)) {
            d.error(c.pos(), "address range " + text + " must end at " + lastOctet + "..255");
            return null;
        }
        Integer port = v.port(0);
        v.noMoreThan(1);
        return port == null ? null
                : new VirtualServerGroup.AddressRange(Addresses.parse(first), end < 0 ? lastOctet : end, port, c.pos());
    }
}
