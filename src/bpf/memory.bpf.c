// SPDX-License-Identifier: GPL-2.0
/*
 * memory.bpf.c - memfd_create, and memory made executable while it is
 * (or was) writable or anonymous: the shape of injected or unpacked code.
 *
 * mmap is hooked at sys_exit, where the arguments and the new address are
 * both known. Every library load maps file-backed PROT_READ|PROT_EXEC
 * memory, so the filter runs here in the kernel and only W+X or anonymous
 * executable mappings leave it. mprotect is hooked at sys_enter instead:
 * whether the memory was writable or anonymous is a fact about the mapping
 * before the call, and the exit only sees it after.
 */
#include "common.bpf.h"
#include "path.bpf.h"

#define PROT_WRITE_		0x2
#define PROT_EXEC_		0x4
#define MAP_ANONYMOUS_		0x20
#define VM_WRITE_		0x2
#define VM_EXEC_		0x4
#define ENOENT_			2
#define MFD_NAME_MAX_		249	/* NAME_MAX - strlen("memfd:") */
#define NR_mmap_		9
#define NR_mprotect_		10
#define NR_pkey_mprotect_	329
#define NR_memfd_create_	319

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int vgl_sys_exit_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_mem *m;
	struct ev ev;

	if (is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_MEMFD_CREATE, sizeof(*m))->ret = ctx->ret;
	m = ev_body(&ev);
	m->syscall = NR_memfd_create_;
	m->flags = sys_arg(regs, 1);
	m->fd = ctx->ret >= 0 ? ctx->ret : -1;
	m->anon = 1;
	/* the name as given; the kernel prefixes "memfd:" to the dentry only */
	ev_put_ustr(&ev, (const char *)sys_arg(regs, 0), MFD_NAME_MAX_ + 1);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int vgl_sys_exit_mmap(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	__u32 prot = sys_arg(regs, 2);
	__u32 flags = sys_arg(regs, 3);
	struct vgl_mem *m;
	struct ev ev;
	__u8 pflags = 0;

	/* executable AND (anonymous OR writable): library loads never match */
	if (!(prot & PROT_EXEC_) || !((flags & MAP_ANONYMOUS_) || (prot & PROT_WRITE_)))
		return 0;
	if (is_self() || !ev_begin(&ev))
		return 0;
	/* mmap returns an address on success; the header keeps only 0/-errno */
	ev_init(&ev, VGL_EV_MMAP_EXEC, sizeof(*m))->ret = ctx->ret < 0 ? ctx->ret : 0;
	m = ev_body(&ev);
	m->syscall = NR_mmap_;
	m->addr = ctx->ret < 0 ? sys_arg(regs, 0) : (__u64)ctx->ret;
	m->len = sys_arg(regs, 1);
	m->prot = prot;
	m->flags = flags;
	m->anon = (flags & MAP_ANONYMOUS_) != 0;
	m->was_writable = (prot & PROT_WRITE_) != 0;
	m->fd = m->anon ? -1 : (__s32)sys_arg(regs, 4);
	if (m->anon)
		ev_put_empty(&ev);
	else
		ev_put_file_path(&ev, fd_file(current_task(), m->fd), &pflags);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

/* What bpf_find_vma saw of the mapping at the mprotect address. */
struct vma_seen {
	__u64 vm_flags;
	struct file *file;
};

static long vma_seen_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_seen *vs = data;

	vs->vm_flags = BPF_CORE_READ(vma, vm_flags);
	vs->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/*
 * Look up the mapping containing addr. Returns 0 when found, -ENOENT when
 * there is none (the call will fail), another error when it could not be
 * looked at (mmap lock contended, or no bpf_find_vma before 5.17): then
 * vs stays zero and the caller reports without knowing the mapping.
 * bpf_find_vma wants a BTF task pointer; every kernel that has it (5.17)
 * has bpf_get_current_task_btf (5.11), and elsewhere this is dead code.
 * Kernels before 5.13 reject the callback reference itself, dead or not:
 * there these programs must not be loaded at all.
 */
static __always_inline long vma_lookup(__u64 addr, struct vma_seen *vs)
{
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma))
		return -1;
	return bpf_find_vma(bpf_get_current_task_btf(), addr, vma_seen_cb, vs, 0);
}

static __always_inline int mprotect_enter(struct trace_event_raw_sys_enter *ctx, __u16 nr)
{
	__u64 addr = ctx->args[0];
	__u32 prot = ctx->args[2];
	struct vma_seen vs = {};
	struct vgl_mem *m;
	struct ev ev;
	__u8 pflags = 0;
	long err;
	bool anon, writable;

	if (!(prot & PROT_EXEC_) || is_self())
		return 0;
	err = vma_lookup(addr, &vs);
	if (err == -ENOENT_)
		return 0;
	anon = !err && !vs.file;
	writable = (vs.vm_flags & VM_WRITE_) != 0;
	/* report W+X results, and exec newly added to anonymous or writable
	 * memory; exec kept on exec memory (RX -> RX) is nothing new */
	if (!err && !(prot & PROT_WRITE_) &&
	    ((vs.vm_flags & VM_EXEC_) || !(anon || writable)))
		return 0;
	if (!ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_MMAP_EXEC, sizeof(*m));	/* ret unknown at entry: 0 */
	m = ev_body(&ev);
	m->syscall = nr;
	m->addr = addr;
	m->len = ctx->args[1];
	m->prot = prot;
	m->vm_flags = vs.vm_flags;
	m->fd = -1;
	m->anon = anon;
	m->was_writable = writable;
	if (vs.file)
		ev_put_file_path(&ev, vs.file, &pflags);
	else
		ev_put_empty(&ev);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mprotect")
int vgl_sys_enter_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return mprotect_enter(ctx, NR_mprotect_);
}

/* pkey_mprotect changes protections exactly like mprotect */
SEC("tracepoint/syscalls/sys_enter_pkey_mprotect")
int vgl_sys_enter_pkey_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return mprotect_enter(ctx, NR_pkey_mprotect_);
}
