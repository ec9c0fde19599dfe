package io.xlb.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoExceptionTest {
    @Test
    void oneFormatNamesTheCallTheErrnoAndTheContext() {
        ErrnoException e = new ErrnoException("bpf_obj_get", 2, "/sys/fs/bpf/xlb/vips");
        assertEquals("bpf_obj_get: ENOENT: No such file or directory (/sys/fs/bpf/xlb/vips)", e.getMessage());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(2, e.errno());
        assertEquals("setns: EPERM: Operation not permitted", new ErrnoException("setns", 1, "").getMessage());
    }
}
