/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * scan_iter.h - what src/bpf/scan_iter.bpf.c writes to its iterators'
 * seq files, one fixed-size record per object. Compiled by both sides.
 */
#ifndef VIGIL_SCAN_ITER_H
#define VIGIL_SCAN_ITER_H

/* One per thread-group leader the kernel knows (iter/task). */
struct scan_iter_task {
	__u32 tgid;		/* in the initial pid namespace */
	__u32 ppid;		/* real parent's tgid */
	__u64 start_ns;		/* start_boottime: the boot clock of event headers */
	__u32 flags;		/* task->flags (PF_KTHREAD = 0x00200000) */
	__u32 _pad;
	char comm[16];
};

#define SCAN_ITER_PROG	1	/* an fd of a BPF program */
#define SCAN_ITER_LINK	2	/* an fd of a BPF link */

/* One per BPF program or link fd a process holds (iter/task_file). */
struct scan_iter_file {
	__u32 tgid;
	__u32 fd;
	__u32 id;		/* program or link id */
	__u32 kind;		/* SCAN_ITER_PROG or SCAN_ITER_LINK */
	char comm[16];
};

#define SCAN_PF_KTHREAD	0x00200000

#endif
