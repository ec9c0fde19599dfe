package io.xlb.bpf.ffi;

import io.xlb.ffi.Native;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libbpf 1.x (libbpf.so.1), one downcall handle per C function, named as in C, in jextract's
 * shape. Every handle takes a leading call-state segment for errno (see {@link Native}):
 * libbpf 1.x returns -errno from int functions and NULL with errno set from pointer functions.
 */
public final class Libbpf {
    private Libbpf() {}

    private static final SymbolLookup LIB = Native.library("libbpf.so.1", "libbpf1");

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return Native.errnoDowncall(LIB, name, fd);
    }

    // --- library ---
    /** libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn) */
    public static final MethodHandle libbpf_set_print = h("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list args) */
    public static final FunctionDescriptor libbpf_print_fn_t = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    /** const char *libbpf_version_string(void) */
    public static final MethodHandle libbpf_version_string = h("libbpf_version_string", FunctionDescriptor.of(ADDRESS));
    /** int libbpf_num_possible_cpus(void) */
    public static final MethodHandle libbpf_num_possible_cpus = h("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));

    // --- objects ---
    /** struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts) */
    public static final MethodHandle bpf_object__open_file = h("bpf_object__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const struct bpf_object_open_opts *opts) */
    public static final MethodHandle bpf_object__open_mem = h("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    /** int bpf_object__load(struct bpf_object *obj) */
    public static final MethodHandle bpf_object__load = h("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** void bpf_object__close(struct bpf_object *obj) */
    public static final MethodHandle bpf_object__close = h("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    /** struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog) */
    public static final MethodHandle bpf_object__next_program = h("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map) */
    public static final MethodHandle bpf_object__next_map = h("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** struct btf *bpf_object__btf(const struct bpf_object *obj) */
    public static final MethodHandle bpf_object__btf = h("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));

    // --- programs and maps of an object ---
    /** const char *bpf_program__name(const struct bpf_program *prog) */
    public static final MethodHandle bpf_program__name = h("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** int bpf_program__fd(const struct bpf_program *prog) */
    public static final MethodHandle bpf_program__fd = h("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** const char *bpf_map__name(const struct bpf_map *map) */
    public static final MethodHandle bpf_map__name = h("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** int bpf_map__fd(const struct bpf_map *map) */
    public static final MethodHandle bpf_map__fd = h("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries) */
    public static final MethodHandle bpf_map__set_max_entries = h("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int bpf_map__reuse_fd(struct bpf_map *map, int fd) */
    public static final MethodHandle bpf_map__reuse_fd = h("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    // --- maps by fd ---
    /** int bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size, __u32 value_size, __u32 max_entries, const struct bpf_map_create_opts *opts) */
    public static final MethodHandle bpf_map_create = h("bpf_map_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int bpf_map_lookup_elem(int fd, const void *key, void *value) */
    public static final MethodHandle bpf_map_lookup_elem = h("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags) */
    public static final MethodHandle bpf_map_update_elem = h("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    /** int bpf_map_delete_elem(int fd, const void *key) */
    public static final MethodHandle bpf_map_delete_elem = h("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** int bpf_map_get_next_key(int fd, const void *key, void *next_key) */
    public static final MethodHandle bpf_map_get_next_key = h("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value) */
    public static final MethodHandle bpf_map_lookup_and_delete_elem = h("bpf_map_lookup_and_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, __u32 *count, const struct bpf_map_batch_opts *opts) */
    public static final MethodHandle bpf_map_lookup_batch = h("bpf_map_lookup_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    /** int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count, const struct bpf_map_batch_opts *opts) */
    public static final MethodHandle bpf_map_update_batch = h("bpf_map_update_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    /** int bpf_map_delete_batch(int fd, const void *keys, __u32 *count, const struct bpf_map_batch_opts *opts) */
    public static final MethodHandle bpf_map_delete_batch = h("bpf_map_delete_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    // --- pinning and ids ---
    /** int bpf_obj_pin(int fd, const char *pathname) */
    public static final MethodHandle bpf_obj_pin = h("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** int bpf_obj_get(const char *pathname) */
    public static final MethodHandle bpf_obj_get = h("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len) */
    public static final MethodHandle bpf_obj_get_info_by_fd = h("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int bpf_map_get_fd_by_id(__u32 id) */
    public static final MethodHandle bpf_map_get_fd_by_id = h("bpf_map_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** int bpf_prog_get_fd_by_id(__u32 id) */
    public static final MethodHandle bpf_prog_get_fd_by_id = h("bpf_prog_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // --- XDP ---
    /** int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags, const struct bpf_xdp_attach_opts *opts) */
    public static final MethodHandle bpf_xdp_attach = h("bpf_xdp_attach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts) */
    public static final MethodHandle bpf_xdp_detach = h("bpf_xdp_detach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int bpf_xdp_query(int ifindex, int flags, struct bpf_xdp_query_opts *opts) */
    public static final MethodHandle bpf_xdp_query = h("bpf_xdp_query", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    // --- test run ---
    /** int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts) */
    public static final MethodHandle bpf_prog_test_run_opts = h("bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    // --- BTF ---
    /** struct btf *btf__parse(const char *path, struct btf_ext **btf_ext) */
    public static final MethodHandle btf__parse = h("btf__parse", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** struct btf *btf__load_from_kernel_by_id(__u32 id) */
    public static final MethodHandle btf__load_from_kernel_by_id = h("btf__load_from_kernel_by_id", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** void btf__free(struct btf *btf) */
    public static final MethodHandle btf__free = h("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    /** __s32 btf__find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind) */
    public static final MethodHandle btf__find_by_name_kind = h("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    /** const struct btf_type *btf__type_by_id(const struct btf *btf, __u32 id) */
    public static final MethodHandle btf__type_by_id = h("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    /** const char *btf__name_by_offset(const struct btf *btf, __u32 offset) */
    public static final MethodHandle btf__name_by_offset = h("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    /** __s64 btf__resolve_size(const struct btf *btf, __u32 type_id) */
    public static final MethodHandle btf__resolve_size = h("btf__resolve_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
}
