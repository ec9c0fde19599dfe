package io.xlb.bpf;

/** What the kernel says of a map (struct bpf_map_info). */
public record MapInfo(MapType type, int id, String name, int keySize, int valueSize, int maxEntries, int flags,
                      int btfId, int btfKeyTypeId, int btfValueTypeId) {
    /** Same kind and shape (type, sizes, capacity, flags): what map reuse requires first. */
    public boolean sameShape(MapInfo o) {
        return type == o.type && keySize == o.keySize && valueSize == o.valueSize && maxEntries == o.maxEntries
                && flags == o.flags;
    }
}
