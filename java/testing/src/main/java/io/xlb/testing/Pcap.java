package io.xlb.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes Ethernet frames to a classic pcap file (microsecond timestamps, LINKTYPE_ETHERNET). */
public final class Pcap {
    private Pcap() {}

    private static final int MAGIC = 0xa1b2c3d4;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 65535;

    public static void write(Path file, List<byte[]> frames) throws IOException {
        int size = 24 + frames.stream().mapToInt(f -> 16 + f.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        int second = 1_700_000_000;
        for (byte[] f : frames) {
            b.putInt(second++).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(file, b.array());
    }
}
