package io.xlb.bpf;

/** What the kernel says of a map (struct bpf_map_info). */
public record MapInfo(MapType type, int id, String name, int keySize, int valueSize, int maxEntries, int flags) {}
