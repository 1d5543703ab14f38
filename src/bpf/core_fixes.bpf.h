/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core_fixes.bpf.h - kernel layout differences, each in one place.
 *
 * vigil runs from 5.8 to current kernels. Where a field moved or changed
 * type, a "___flavor" struct describes the old layout and a small helper
 * picks the right one at load time through CO-RE field-existence checks.
 */
#ifndef VIGIL_CORE_FIXES_BPF_H
#define VIGIL_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/* 6.11+ split the inode ctime into i_ctime_sec/i_ctime_nsec. */
struct inode___ctime_split {
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

/* 6.6 .. 6.10 hid it behind __i_ctime so accessors had to be used. */
struct inode___ctime_hidden {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

/* Before 6.6 it was a plain timespec64. */
struct inode___ctime_plain {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

/* Inode change time in nanoseconds of the realtime clock. */
static __always_inline __u64 inode_ctime_ns(struct inode *inode)
{
	if (bpf_core_field_exists(struct inode___ctime_split, i_ctime_sec)) {
		struct inode___ctime_split *in = (void *)inode;

		/* 6.13+ multigrain timestamps keep a "queried" flag in bit 31 */
		return BPF_CORE_READ(in, i_ctime_sec) * 1000000000ULL +
		       (BPF_CORE_READ(in, i_ctime_nsec) & 0x3fffffff);
	}
	if (bpf_core_field_exists(struct inode___ctime_hidden, __i_ctime)) {
		struct inode___ctime_hidden *in = (void *)inode;

		return BPF_CORE_READ(in, __i_ctime.tv_sec) * 1000000000ULL +
		       BPF_CORE_READ(in, __i_ctime.tv_nsec);
	}
	struct inode___ctime_plain *in = (void *)inode;

	return BPF_CORE_READ(in, i_ctime.tv_sec) * 1000000000ULL + BPF_CORE_READ(in, i_ctime.tv_nsec);
}

/* start_boottime appeared in 5.5 (real_start_time before); our floor is 5.8. */
static __always_inline __u64 task_start_boot_ns(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/* loginuid exists only with CONFIG_AUDIT. */
static __always_inline __u32 task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return BPF_CORE_READ(task, loginuid.val);
	return (__u32)-1;
}

/*
 * The current task as a plain pointer, read only through BPF_CORE_READ.
 * bpf_get_current_task_btf() (5.11) would allow direct loads, but our floor
 * is 5.8, where only bpf_get_current_task() exists.
 */
static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/*
 * Header fields read from the current task. Where the kernel hands out BTF
 * pointers (5.11+) plain loads are used: each probe-read helper call costs
 * ~50ns here, and a header needs eight of them. Older kernels take the
 * probe-read path; the other branch is dead code to their verifier.
 */
static __always_inline void hdr_fill_task(struct vgl_hdr *h, struct task_struct *task)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct task_struct *t = bpf_get_current_task_btf();
		const struct cred *cred = t->cred;

		h->start_ns = t->group_leader->start_boottime;
		h->ppid = t->real_parent->tgid;
		h->euid = cred->euid.val;
		h->egid = cred->egid.val;
		h->loginuid = bpf_core_field_exists(t->loginuid) ? t->loginuid.val : (__u32)-1;
		h->mntns = t->nsproxy->mnt_ns->ns.inum;
		return;
	}
	h->start_ns = task_start_boot_ns(task);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->euid = BPF_CORE_READ(task, cred, euid.val);
	h->egid = BPF_CORE_READ(task, cred, egid.val);
	h->loginuid = task_loginuid(task);
	h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
}

/*
 * A plain kernel pointer (read out of an array, which the verifier types
 * as untrusted memory) made one it allows plain loads through: the verifier
 * turns the call into a move (6.2+). Use only where the kernel has it; the
 * loads become exception-safe probe loads, not helper calls. Only
 * file.bpf.c uses it: when net.bpf.c used it too, the libbpf 1.1 linker
 * failed on net.bpf.o (EINVAL), likely over the shared kfunc extern.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define btf_cast(p, type) ((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))
/* kfuncs are not in enum bpf_func_id: a helper of the same release (6.2) stands for it */
#define have_btf_cast() bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_cgrp_storage_get)

#define X86_THREAD_SIZE_ (16384)	/* x86-64 kernel stack without KASAN */

/*
 * The user registers saved at syscall entry. bpf_task_pt_regs() (5.15) when
 * the kernel has it; before, they sit at the top of the task's kernel stack
 * on x86-64 (a KASAN kernel doubles the stack: not supported before 5.15).
 * The branch not taken is dead code the verifier never checks.
 */
static __always_inline struct pt_regs *current_regs(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	void *stack = BPF_CORE_READ(current_task(), stack);

	return (struct pt_regs *)(stack + X86_THREAD_SIZE_ - bpf_core_type_size(struct pt_regs));
}

static __always_inline __u32 task_pidns_inum(struct task_struct *task, __u32 *level_out)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	*level_out = level;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Who and when, for any event header: time, ids, cgroup, namespaces and
 * comm of the current task (task). Shared by the sensor's event builder
 * and the records the cgroup socket hooks write themselves. */
static __always_inline void hdr_fill_current(struct vgl_hdr *h, struct task_struct *task)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 level = 0;

	h->ts_ns = bpf_ktime_get_boot_ns();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->cgroup_id = bpf_get_current_cgroup_id();
	hdr_fill_task(h, task);
	h->pidns = task_pidns_inum(task, &level);
	if (level > 0)
		h->hdr_flags |= VGL_HF_IN_CHILD_PIDNS;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif /* VIGIL_CORE_FIXES_BPF_H */
