package io.xlb.bpf;

import io.xlb.ffi.LibC;
import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.btf_member;
import io.xlb.bpf.ffi.btf_type;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Type information of an object or of the kernel, read through libbpf: enough to learn a
 * struct's size and member offsets and so check a Java layout against the C it mirrors.
 */
public final class Btf implements AutoCloseable {
    // linux/btf.h kinds
    private static final int BTF_KIND_STRUCT = 4;
    private static final int BTF_KIND_UNION = 5;
    private static final int BTF_KIND_ENUM = 6;
    /** struct btf_enum: name_off u32, val s32. */
    private static final long BTF_ENUM_SIZE = 8;
    private static final int BTF_KIND_TYPEDEF = 8;
    private static final int BTF_KIND_VOLATILE = 9;
    private static final int BTF_KIND_CONST = 10;
    private static final int BTF_KIND_RESTRICT = 11;
    private static final int BTF_KIND_TYPE_TAG = 18;
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private final MemorySegment btf;
    private final boolean owned;
    private boolean closed;

    private Btf(MemorySegment btf, boolean owned) {
        this.btf = btf;
        this.owned = owned;
    }

    static Btf borrowed(MemorySegment btf) {
        return new Btf(btf, false);
    }

    /** Parses BTF from an ELF object (its .BTF section) or a raw BTF file such as vmlinux's. */
    public static Btf parse(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment btf = (MemorySegment) Libbpf.btf__parse.invokeExact(state,
                    arena.allocateFrom(path.toString()), MemorySegment.NULL);
            return new Btf(Call.check("btf__parse", btf, state, path.toString()), true);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** The BTF the kernel holds under {@code id} (a map's or program's, from its info). */
    public static Btf fromKernel(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment btf = (MemorySegment) Libbpf.btf__load_from_kernel_by_id.invokeExact(state, id);
            return new Btf(Call.check("btf__load_from_kernel_by_id", btf, state, "BTF id " + id), true);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** The struct a type id names, through typedefs and qualifiers; empty for other kinds. */
    public Optional<BtfStruct> structById(int id) {
        int resolved = skipModifiers(id);
        int k = kind(resolved);
        if (k != BTF_KIND_STRUCT && k != BTF_KIND_UNION) {
            return Optional.empty();
        }
        String name = name(type(resolved).get(ValueLayout.JAVA_INT, Native.offset(btf_type.LAYOUT, "name_off")));
        return Optional.of(read(name, resolved));
    }

    public Optional<BtfStruct> struct(String name) {
        int id = findStructOrUnion(name);
        return id < 0 ? Optional.empty() : Optional.of(read(name, id));
    }

    public BtfStruct requireStruct(String name) {
        return struct(name).orElseThrow(() -> new IllegalArgumentException("no struct " + name + " in BTF"));
    }

    /** The constants of {@code enum name}, in declaration order; empty if the BTF has no such enum. */
    public java.util.Map<String, Long> enumValues(String name) {
        int id;
        try (Arena arena = Arena.ofConfined()) {
            id = (int) Libbpf.btf__find_by_name_kind.invokeExact(Native.callState(arena), btf, arena.allocateFrom(name),
                    BTF_KIND_ENUM);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (id < 0) {
            return out;
        }
        MemorySegment type = type(id);
        int info = type.get(ValueLayout.JAVA_INT, Native.offset(btf_type.LAYOUT, "info"));
        int vlen = info & 0xffff;
        boolean signed = (info >>> 31) != 0;
        long typeSize = btf_type.LAYOUT.byteSize();
        MemorySegment all = type.reinterpret(typeSize + vlen * BTF_ENUM_SIZE);
        for (int i = 0; i < vlen; i++) {
            long at = typeSize + i * BTF_ENUM_SIZE;
            int value = all.get(ValueLayout.JAVA_INT, at + 4);
            out.put(name(all.get(ValueLayout.JAVA_INT, at)), signed ? value : Integer.toUnsignedLong(value));
        }
        return out;
    }

    private int findStructOrUnion(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment cname = arena.allocateFrom(name);
            int id = (int) Libbpf.btf__find_by_name_kind.invokeExact(state, btf, cname, BTF_KIND_STRUCT);
            if (id < 0) {
                id = (int) Libbpf.btf__find_by_name_kind.invokeExact(state, btf, cname, BTF_KIND_UNION);
            }
            return id;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private BtfStruct read(String name, int id) {
        List<BtfStruct.Member> members = new ArrayList<>();
        collect(id, 0, "", members);
        return new BtfStruct(name, size(id), members);
    }

    /** Members of struct/union {@code id}; anonymous struct/union members are flattened. */
    private void collect(int id, long baseBits, String prefix, List<BtfStruct.Member> out) {
        MemorySegment type = type(id);
        int info = type.get(ValueLayout.JAVA_INT, Native.offset(btf_type.LAYOUT, "info"));
        int vlen = info & 0xffff;
        boolean kindFlag = (info >>> 31) != 0;
        long typeSize = btf_type.LAYOUT.byteSize();
        MemorySegment all = type.reinterpret(typeSize + vlen * btf_member.LAYOUT.byteSize());
        for (int i = 0; i < vlen; i++) {
            MemorySegment m = all.asSlice(typeSize + i * btf_member.LAYOUT.byteSize(), btf_member.LAYOUT.byteSize());
            String mname = name(m.get(ValueLayout.JAVA_INT, Native.offset(btf_member.LAYOUT, "name_off")));
            int mtype = m.get(ValueLayout.JAVA_INT, Native.offset(btf_member.LAYOUT, "type"));
            int off = m.get(ValueLayout.JAVA_INT, Native.offset(btf_member.LAYOUT, "offset"));
            long bitOffset = baseBits + (kindFlag ? off & 0xffffff : Integer.toUnsignedLong(off));
            long bitfieldSize = kindFlag ? off >>> 24 : 0;
            int resolved = skipModifiers(mtype);
            int rkind = kind(resolved);
            if (mname.isEmpty() && (rkind == BTF_KIND_STRUCT || rkind == BTF_KIND_UNION)) {
                collect(resolved, bitOffset, prefix, out);
                continue;
            }
            long bits = bitfieldSize != 0 ? bitfieldSize : size(mtype) * 8;
            out.add(new BtfStruct.Member(prefix + mname, bitOffset, bits));
        }
    }

    private int skipModifiers(int id) {
        int current = id;
        for (int guard = 0; guard < 32; guard++) {
            int k = kind(current);
            if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_VOLATILE && k != BTF_KIND_CONST
                    && k != BTF_KIND_RESTRICT && k != BTF_KIND_TYPE_TAG) {
                return current;
            }
            current = type(current).get(ValueLayout.JAVA_INT, Native.offset(btf_type.LAYOUT, "size"));
        }
        return current;
    }

    private int kind(int id) {
        if (id == 0) {
            return 0; // void
        }
        int info = type(id).get(ValueLayout.JAVA_INT, Native.offset(btf_type.LAYOUT, "info"));
        return (info >>> 24) & 0x1f;
    }

    private MemorySegment type(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment t = (MemorySegment) Libbpf.btf__type_by_id.invokeExact(state, btf, id);
            return Call.check("btf__type_by_id", t, state, "type " + id).reinterpret(btf_type.LAYOUT.byteSize());
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private long size(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            long size = (long) Libbpf.btf__resolve_size.invokeExact(state, btf, id);
            if (size < 0) {
                throw new BpfException("btf__resolve_size", (int) -size, "type " + id);
            }
            return size;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    private String name(int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = (MemorySegment) Libbpf.btf__name_by_offset.invokeExact(Native.callState(arena), btf, offset);
            String name = LibC.string(s);
            return name == null ? "" : name;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (!owned || closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            Libbpf.btf__free.invokeExact(Native.callState(arena), btf);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }
}
