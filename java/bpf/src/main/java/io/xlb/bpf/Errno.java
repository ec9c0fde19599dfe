package io.xlb.bpf;

/** The errno values java/bpf tells apart (Linux, asm-generic/errno-base.h and errno.h). */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EBUSY = 16;
    public static final int E2BIG = 7;
    public static final int EOPNOTSUPP = 95;
}
