package io.xlb.bpf;

/** What the kernel says of a program (struct bpf_prog_info): type code, id, name and tag. */
public record ProgramInfo(int type, int id, String name, String tag) {
    /** BPF_PROG_TYPE_XDP. */
    public static final int TYPE_XDP = 6;
}
