package io.xlb.bpf;

/**
 * A map to create with bpf_map_create, e.g. a fresh inner map to swap into an array-of-maps.
 * {@code innerMapFd} is the template for map-of-maps types, -1 otherwise.
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags, int innerMapFd) {
    public MapSpec {
        if (name.length() > 15) {
            throw new IllegalArgumentException("map name longer than 15 bytes: " + name);
        }
        if (keySize <= 0 || valueSize <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("key size, value size and max entries must be positive: " + name);
        }
    }

    public static MapSpec of(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, 0, -1);
    }

    /** Same shape as an existing map, for a replacement inner map. */
    public static MapSpec like(MapInfo info, String name) {
        return new MapSpec(info.type(), name, info.keySize(), info.valueSize(), info.maxEntries(), info.flags(), -1);
    }
}
