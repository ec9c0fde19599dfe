package io.xlb.bpf;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/** A C struct as BTF describes it: size in bytes and members with bit offsets and sizes. */
public record BtfStruct(String name, long size, List<Member> members) {
    public BtfStruct {
        members = List.copyOf(members);
    }

    public record Member(String name, long bitOffset, long bitSize) {}

    public Member member(String memberName) {
        return members.stream().filter(m -> m.name().equals(memberName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("struct " + name + " has no member " + memberName));
    }

    /**
     * How {@code layout} differs from this struct: each named element of the layout must be a
     * member at the same byte offset with the same size. With {@code wholeStruct}, sizes must also
     * match and every member must be in the layout; without, the layout may be a prefix (kernel
     * structs that grow at the end).
     */
    public List<String> differences(StructLayout layout, boolean wholeStruct) {
        List<String> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout element : layout.memberLayouts()) {
            long at = offset;
            offset += element.byteSize();
            if (element.name().isEmpty()) {
                continue; // padding
            }
            String field = element.name().get();
            seen.add(field);
            Member m = members.stream().filter(x -> x.name().equals(field)).findFirst().orElse(null);
            if (m == null) {
                out.add(name + "." + field + ": not in the C struct");
                continue;
            }
            if (m.bitOffset() != at * 8) {
                out.add(name + "." + field + ": Java offset " + at + ", C offset " + m.bitOffset() / 8.0);
            }
            if (m.bitSize() != element.byteSize() * 8 && !(element instanceof GroupLayout)) {
                out.add(name + "." + field + ": Java size " + element.byteSize() + ", C size " + m.bitSize() / 8.0);
            }
        }
        if (wholeStruct) {
            if (layout.byteSize() != size) {
                out.add(name + ": Java size " + layout.byteSize() + ", C size " + size);
            }
            for (Member m : members) {
                if (!seen.contains(m.name())) {
                    out.add(name + "." + m.name() + ": missing from the Java layout");
                }
            }
        }
        return out;
    }

    /** Throws with every difference listed if {@code layout} does not mirror this struct. */
    public void check(StructLayout layout, boolean wholeStruct) {
        List<String> diff = differences(layout, wholeStruct);
        if (!diff.isEmpty()) {
            throw new IllegalStateException("layout " + layout.name().orElse("?") + " does not match struct "
                    + name + ":\n  " + String.join("\n  ", diff));
        }
    }
}
