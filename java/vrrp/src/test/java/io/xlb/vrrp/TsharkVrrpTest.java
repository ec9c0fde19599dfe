package io.xlb.vrrp;

import static io.xlb.vrrp.VrrpCodecTest.VIP;
import static io.xlb.vrrp.VrrpCodecTest.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.lab.Command;
import io.xlb.testing.Frame;
import io.xlb.testing.Pcap;
import io.xlb.testing.Privileged;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * xlb's adverts judged by tshark's VRRP dissector: v2 with PASS, v2 without, v3 over IPv4 and IPv6,
 * framed as the kernel sends them (TTL / hop limit 255, to the VRRP group, from the virtual MAC);
 * each must decode with the right fields, a good checksum and no expert warning.
 */
@Privileged(tools = {"tshark"})
class TsharkVrrpTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void advertsDecodeAsValidVrrp() throws Exception {
        InetAddress src4 = addr("10.0.0.1");
        InetAddress src6 = addr("fe80::1");
        List<VrrpAdvert> adverts = List.of(
                VrrpCodecTest.TUTORIAL_V2,
                new VrrpAdvert(VrrpVersion.V2, 51, 50, 100, List.of(VIP, addr("192.168.1.201")), ""),
                VrrpCodecTest.TUTORIAL_V3,
                new VrrpAdvert(VrrpVersion.V3, 7, 0, 10, List.of(addr("2001:db8::10")), ""));
        List<byte[]> frames = new ArrayList<>();
        for (VrrpAdvert a : adverts) {
            InetAddress src = a.ipv4() ? src4 : src6;
            InetAddress dst = a.ipv4() ? VrrpCodec.GROUP_V4 : VrrpCodec.GROUP_V6;
            frames.add(frame(a.vrid(), src, dst, VrrpCodec.encode(a, src, dst)));
        }
        Path pcap = Files.createTempFile("xlb-vrrp", ".pcap");
        try {
            Pcap.write(pcap, frames);
            String out = Command.of("tshark", "-n", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
                    "-T", "fields", "-E", "separator=|", "-e", "frame.protocols", "-e", "vrrp.version", "-e", "vrrp.virt_rtr_id",
                    "-e", "vrrp.prio", "-e", "vrrp.addr_count", "-e", "vrrp.checksum.status", "-e", "_ws.malformed",
                    "-e", "_ws.expert.severity").run();
            List<String> lines = out.lines().filter(l -> !l.startsWith("Running as user")).toList();
            assertEquals(List.of(
                    "eth:ethertype:ip:vrrp|2|51|100|1|1||",
                    "eth:ethertype:ip:vrrp|2|51|50|2|1||",
                    "eth:ethertype:ip:vrrp|3|51|100|1|1||",
                    "eth:ethertype:ipv6:vrrp|3|7|0|1|1||"), lines, out);
            String auth = Command.of("tshark", "-n", "-r", pcap.toString(), "-Y", "frame.number == 1",
                    "-T", "fields", "-e", "vrrp.auth_type", "-e", "vrrp.auth_string", "-e", "vrrp.adver_int").run();
            assertEquals("1\t1111\t1", auth.lines().filter(l -> !l.startsWith("Running as user")).findFirst().orElse(""), auth);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /** Ethernet from the virtual MAC 00:00:5e:00:01:VRID to the group's multicast MAC, IP TTL 255 (IPv4: TOS 0xc0). */
    private static byte[] frame(int vrid, InetAddress src, InetAddress dst, byte[] vrrp) {
        boolean v4 = src instanceof Inet4Address;
        byte[] virtualMac = HEX.parseHex("00005e0001" + HEX.toHexDigits((byte) vrid));
        Frame eth = Frame.eth(virtualMac, HEX.parseHex(v4 ? "01005e000012" : "333300000012"));
        Frame ip = v4 ? eth.ipv4(src, dst).tos(0xc0).ipId(0).frag(0) : eth.ipv6(src, dst);
        return ip.ttl(VrrpCodec.TTL).ipPayload(VrrpCodec.IP_PROTOCOL, vrrp).bytes();
    }
}
