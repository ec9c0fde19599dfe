package io.xlb.bpf;

import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_map_info;
import io.xlb.bpf.ffi.bpf_prog_info;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/** bpf_obj_get_info_by_fd for maps and programs. */
final class Info {
    private Info() {}

    static MapInfo map(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = query(arena, fd, bpf_map_info.LAYOUT);
            return new MapInfo(
                    MapType.of(i32(info, bpf_map_info.LAYOUT, "type")),
                    i32(info, bpf_map_info.LAYOUT, "id"),
                    name(info, Native.offset(bpf_map_info.LAYOUT, "name")),
                    i32(info, bpf_map_info.LAYOUT, "key_size"),
                    i32(info, bpf_map_info.LAYOUT, "value_size"),
                    i32(info, bpf_map_info.LAYOUT, "max_entries"),
                    i32(info, bpf_map_info.LAYOUT, "map_flags"),
                    i32(info, bpf_map_info.LAYOUT, "btf_id"),
                    i32(info, bpf_map_info.LAYOUT, "btf_key_type_id"),
                    i32(info, bpf_map_info.LAYOUT, "btf_value_type_id"));
        }
    }

    static ProgramInfo program(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = query(arena, fd, bpf_prog_info.LAYOUT);
            long tagAt = Native.offset(bpf_prog_info.LAYOUT, "tag");
            return new ProgramInfo(
                    i32(info, bpf_prog_info.LAYOUT, "type"),
                    i32(info, bpf_prog_info.LAYOUT, "id"),
                    name(info, Native.offset(bpf_prog_info.LAYOUT, "name")),
                    HexFormat.of().formatHex(info.asSlice(tagAt, 8).toArray(ValueLayout.JAVA_BYTE)));
        }
    }

    private static MemorySegment query(Arena arena, int fd, StructLayout layout) {
        MemorySegment info = arena.allocate(layout);
        MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) layout.byteSize());
        MemorySegment state = Native.callState(arena);
        try {
            int rc = (int) Libbpf.bpf_obj_get_info_by_fd.invokeExact(state, fd, info, len);
            Call.check("bpf_obj_get_info_by_fd", rc, state, "fd " + fd);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        return info;
    }

    private static int i32(MemorySegment s, StructLayout layout, String field) {
        return s.get(ValueLayout.JAVA_INT, Native.offset(layout, field));
    }

    private static String name(MemorySegment s, long offset) {
        return s.asSlice(offset, 16).getString(0);
    }
}
