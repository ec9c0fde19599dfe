// SPDX-License-Identifier: GPL-2.0
/* Not a program: it puts libbpf's option structs into BTF so that java/bpf's tests can check
 * the hand-written FFM layouts against the C headers they mirror. BPF and x86-64 agree on the
 * size and alignment of every type used here (LP64). */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

struct bpf_object_open_opts abi_object_open_opts;
struct bpf_map_create_opts abi_map_create_opts;
struct bpf_test_run_opts abi_test_run_opts;
struct bpf_xdp_attach_opts abi_xdp_attach_opts;
struct bpf_xdp_query_opts abi_xdp_query_opts;
struct bpf_map_batch_opts abi_map_batch_opts;
