package io.xlb.bpf;

import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.xlb.testing.Frame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Java mirrors of bpf/test/probe_abi.h, where the test objects are, and the frames the probe takes. */
final class ProbeAbi {
    private ProbeAbi() {}

    /** A client's UDP datagram from 10.0.0.1:40000 to 10.0.0.2:{@code dport}, which the probe bounces or passes. */
    static Frame datagram(int dport, byte[] payload) {
        return Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ipv4("10.0.0.1", "10.0.0.2").ipId(0x1234).frag(Frame.DF)
                .udp(40000, dport).payload(payload);
    }

    static Path object(String name) {
        try {
            var url = ProbeAbi.class.getResource("/bpf/" + name + ".o");
            if (url == null) {
                throw new IllegalStateException("test object bpf/" + name + ".o missing: the build compiles it from bpf/test");
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Counter(long packets, long bytes) {
        static final StructLayout LAYOUT = structLayout(
                JAVA_LONG.withName("packets"), JAVA_LONG.withName("bytes")).withName("probe_counter");
        static final Codec<Counter> CODEC = new Codec<>() {
            public int size() { return (int) LAYOUT.byteSize(); }
            public void encode(Counter c, MemorySegment to) {
                to.set(JAVA_LONG, 0, c.packets);
                to.set(JAVA_LONG, 8, c.bytes);
            }
            public Counter decode(MemorySegment from) {
                return new Counter(from.get(JAVA_LONG, 0), from.get(JAVA_LONG, 8));
            }
        };

        Counter plus(Counter o) {
            return new Counter(packets + o.packets, bytes + o.bytes);
        }
    }

    record Key(int addr, int port, int proto) {
        static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("addr"), JAVA_SHORT.withName("port"), JAVA_BYTE.withName("proto"),
                JAVA_BYTE.withName("pad")).withName("probe_key");
        static final Codec<Key> CODEC = new Codec<>() {
            public int size() { return (int) LAYOUT.byteSize(); }
            public void encode(Key k, MemorySegment to) {
                to.set(JAVA_INT, 0, k.addr);
                to.set(JAVA_SHORT, 4, (short) k.port);
                to.set(JAVA_BYTE, 6, (byte) k.proto);
                to.set(JAVA_BYTE, 7, (byte) 0);
            }
            public Key decode(MemorySegment from) {
                return new Key(from.get(JAVA_INT, 0), Short.toUnsignedInt(from.get(JAVA_SHORT, 4)),
                        Byte.toUnsignedInt(from.get(JAVA_BYTE, 6)));
            }
        };
    }

    record Value(long hits, int weight, int flags) {
        static final StructLayout LAYOUT = structLayout(
                JAVA_LONG.withName("hits"), JAVA_INT.withName("weight"), JAVA_INT.withName("flags"))
                .withName("probe_value");
        static final Codec<Value> CODEC = new Codec<>() {
            public int size() { return (int) LAYOUT.byteSize(); }
            public void encode(Value v, MemorySegment to) {
                to.set(JAVA_LONG, 0, v.hits);
                to.set(JAVA_INT, 8, v.weight);
                to.set(JAVA_INT, 12, v.flags);
            }
            public Value decode(MemorySegment from) {
                return new Value(from.get(JAVA_LONG, 0), from.get(JAVA_INT, 8), from.get(JAVA_INT, 12));
            }
        };
    }
}
