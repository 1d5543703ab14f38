// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - the floor of `make bench`: programs that do nothing, attached
 * by bench/floor.c to the same hooks vigil attaches. What they cost is the
 * price of the hooks themselves (the kernel entering BPF at each tracepoint,
 * and for syscall tracepoints every syscall taking the slow path), which no
 * agent on these hooks can go below.
 *
 * One program per kind of hook is enough: a tracepoint program can be attached
 * to any number of tracepoints, a raw tracepoint program to any raw tracepoint.
 * vigil's tp_btf programs enter BPF the same way raw tracepoints do.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint")
int floor_tp(void *ctx)
{
	return 0;
}

SEC("raw_tp")
int floor_raw_tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
