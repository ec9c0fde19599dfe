package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.REAL_THRESHOLDS;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * struct real_thresholds: a real's connection thresholds (0: none) and IPVS's overload flag they
 * drive. Thresholds are unsigned in C; xlb keeps them to ipvsadm's 0..2^31-1.
 */
public record RealThresholds(int upper, int lower, boolean overloaded) {
    public static final RealThresholds NONE = new RealThresholds(0, 0, false);

    public static final Codec<RealThresholds> CODEC = new Codec<>() {
        public int size() { return (int) REAL_THRESHOLDS.byteSize(); }

        public void encode(RealThresholds t, MemorySegment to) {
            to.set(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "upper"), t.upper);
            to.set(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "lower"), t.lower);
            to.set(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "overloaded"), t.overloaded ? 1 : 0);
        }

        public RealThresholds decode(MemorySegment from) {
            return new RealThresholds(from.get(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "upper")),
                    from.get(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "lower")),
                    from.get(ValueLayout.JAVA_INT, offset(REAL_THRESHOLDS, "overloaded")) != 0);
        }
    };

    /** This flag, these thresholds. */
    public RealThresholds withOverloaded(boolean flag) {
        return new RealThresholds(upper, lower, flag);
    }
}
