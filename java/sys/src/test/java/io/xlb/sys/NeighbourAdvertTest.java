package io.xlb.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Tier 1: the unsolicited neighbour advertisement, byte by byte (RFC 4861 §4.4). */
class NeighbourAdvertTest {
    @Test
    void overrideFlagTargetAndItsLinkLayerAddress() {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex("02:00:5e:00:01:3d");
        byte[] na = NeighbourAdvert.message(mac, (Inet6Address) InetAddress.ofLiteral("2001:db8:77::200"));
        // type 136, code 0, checksum (the kernel's), R=0 S=0 O=1, target, option 2 length 1 (8 bytes), MAC.
        assertEquals("88" + "00" + "0000" + "20000000" + "20010db8007700000000000000000200" + "02" + "01" + "02005e00013d",
                HexFormat.of().formatHex(na));
    }
}
