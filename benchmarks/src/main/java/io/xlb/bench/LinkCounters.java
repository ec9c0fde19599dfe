package io.xlb.bench;

import io.xlb.lab.Lan;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A lab host's interface counters, as {@code ip -j -s link} reports them. */
final class LinkCounters {
    private static final Pattern RX_PACKETS = Pattern.compile("\"rx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)");
    private static final Pattern TX_PACKETS = Pattern.compile("\"tx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)");

    private LinkCounters() {}

    /** Packets {@code host}'s interface received. */
    static long rxPackets(Lan.Host host) {
        return packets(host, RX_PACKETS, "receive");
    }

    /** Packets {@code host}'s interface sent. */
    static long txPackets(Lan.Host host) {
        return packets(host, TX_PACKETS, "transmit");
    }

    private static long packets(Lan.Host host, Pattern counter, String direction) {
        String json = host.ns().exec("ip", "-j", "-s", "link", "show", "dev", host.ifname());
        Matcher m = counter.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + direction + " counter in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
