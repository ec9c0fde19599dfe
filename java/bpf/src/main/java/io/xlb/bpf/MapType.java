package io.xlb.bpf;

/** enum bpf_map_type (linux/bpf.h), in kernel order. */
public enum MapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE,
    CGROUP_ARRAY, LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, SOCKMAP,
    CPUMAP, XSKMAP, SOCKHASH, CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE,
    STACK, SK_STORAGE, DEVMAP_HASH, STRUCT_OPS, RINGBUF, INODE_STORAGE, TASK_STORAGE, BLOOM_FILTER,
    USER_RINGBUF, CGRP_STORAGE, ARENA, UNKNOWN;

    public int code() {
        return ordinal();
    }

    public static MapType of(int code) {
        MapType[] all = values();
        return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
    }

    /** Lookups return one value per possible CPU. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Values are inner maps: written as an fd, read back as a map id. */
    public boolean ofMaps() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }
}
