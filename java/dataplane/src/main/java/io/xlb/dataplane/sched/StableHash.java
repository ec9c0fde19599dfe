package io.xlb.dataplane.sched;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash that is the same on every director and every run (FNV-1a, then MurmurHash3's
 * finaliser to spread the bits): two directors build the same ring from the same reals, so a
 * failover keeps every flow on its real.
 */
final class StableHash {
    private StableHash() {}

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    static long hash64(String key, long seed) {
        long h = FNV_OFFSET ^ seed;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
