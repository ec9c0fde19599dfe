package io.xlb.dataplane;

import io.xlb.lab.Command;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What tshark reads in a pcap of the director's frames, with the IPv4, TCP and UDP checksums
 * validated (ICMP's and ICMPv6's always are): the way TsharkDecodeTest and the packet fuzz judge
 * the frames out by a real peer's decoders.
 */
final class TsharkReading {
    /**
     * The fields of {@link #checksumFields}, '|'-separated: frame.protocols, _ws.malformed, then the
     * checksum status of ip, icmp, icmpv6, tcp and udp, comma-separated where a frame has more than
     * one such header (an ICMP error's quote); 1 is good, 0 bad.
     */
    static final int PROTOCOLS = 0;
    static final int MALFORMED = 1;
    static final int FIRST_STATUS = 2;
    /** From this field on (tcp, udp), the statuses inside an ICMP error are a truncated quote's, which cannot match. */
    static final int FIRST_TRANSPORT_STATUS = 5;

    private TsharkReading() {}

    /** One line of the fields above a frame of {@code pcap}. */
    static List<String> checksumFields(Path pcap) {
        return read(pcap, "-T", "fields", "-E", "separator=|", "-e", "frame.protocols", "-e", "_ws.malformed",
                "-e", "ip.checksum.status", "-e", "icmp.checksum.status", "-e", "icmpv6.checksum.status",
                "-e", "tcp.checksum.status", "-e", "udp.checksum.status");
    }

    /** tshark's output lines on {@code pcap} with {@code options} added, without its note on running as root. */
    static List<String> read(Path pcap, String... options) {
        List<String> argv = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"));
        argv.addAll(List.of(options));
        return Command.of(argv.toArray(String[]::new)).run().lines().filter(l -> !l.startsWith("Running as user")).toList();
    }
}
