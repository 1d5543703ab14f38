/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.bpf.h - maps, load-time settings and the event builder shared by
 * every vigil BPF program. Each .bpf.c includes it; the maps are __weak so
 * the static linker merges them into one set.
 *
 * An event is built in a per-CPU scratch slot (header, body, then strings
 * appended one by one) and copied to the ring buffer once, so a record is
 * never half-written in the ring and no program needs a large stack.
 */
#ifndef VIGIL_COMMON_BPF_H
#define VIGIL_COMMON_BPF_H

#define __VIGIL_BPF__
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil_abi.h"
#include "core_fixes.bpf.h"

#ifndef NULL
#define NULL ((void *)0)
#endif

/* ---- load-time settings (set by userspace before load) ---- */

const volatile __u32 self_tgid __weak = 0;		/* never report the agent */
const volatile __u64 pt_regs_stack_off __weak = 0;	/* task_pt_regs() - task->stack; 0: unknown */
const volatile __u64 agent_start_real_ns __weak = 0;	/* reference for "written" on the host */
const volatile __u64 boot_to_real_ns __weak = 0;	/* realtime - boottime at load */
/* Reader wake-ups: at most one per CPU per interval. 0 disables coalescing. */
const volatile __u64 wakeup_interval_ns __weak = 0;
const volatile __u64 urgent_interval_ns __weak = 2000000;	/* forced wake-ups: one per, per CPU */

/* ---- maps ---- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* mapped twice by the reader: 16 MiB of its RSS */
} events SEC(".maps") __weak;

/* Two slots per CPU: a program preempted mid-event (syscall tracepoints are
 * preemptible on recent kernels) must not have its slot reused by the next. */
#define SCRATCH_SLOTS		2
#define SCRATCH_SIZE		(2 * VGL_EVENT_MAX)	/* slack lets the verifier bound tail writes */

struct scratch {
	__u8 data[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} nest_level SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VGL_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VGL_EV_MAX * VGL_TC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} type_counters SEC(".maps") __weak;

/* Inodes written (opened for write, created, chmod'ed, renamed) while the
 * file hooks were attached. LRU keeps it bounded; ctime covers the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vgl_inode_key);
	__type(value, struct vgl_inode_write);
} written_inodes SEC(".maps") __weak;

/* cgroup v2 ids of containers: a cgroup is entered here the first time a
 * task in a child pid namespace execs in it (every container's processes
 * exec before they do anything else). Hooks that cannot see the task, like
 * the cgroup socket programs, tell containers from the host by it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} container_cgroups SEC(".maps") __weak;

/* Per CPU (ktime ns): [0] the last reader wake-up a bulk record allowed,
 * [1] when the budget of forced wake-ups is full again. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} last_wakeup SEC(".maps") __weak;

/*
 * Per-CPU path buffer: a path is built backwards from its end. The walk
 * keeps its cursor here rather than in registers: values loaded from map
 * memory are unknown to the verifier, so every iteration looks alike and
 * the loop verifies in a few states instead of one per possible position.
 */
struct path_buf {
	__u64 dentry;		/* walk cursor */
	__u64 vfsmnt;
	__u32 pos;		/* start of the path in data; it ends at VGL_PATH_MAX */
	__u32 flags;		/* VGL_PATH_F_* */
	char data[VGL_PATH_MAX + 256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct path_buf);
} path_bufs SEC(".maps") __weak;

/* ---- counters ---- */

static __always_inline void count(enum vgl_counter which)
{
	__u32 key = which;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

static __always_inline void count_type(__u16 type, enum vgl_type_counter which)
{
	__u32 key = (__u32)type * VGL_TC_MAX + which;
	__u64 *v = bpf_map_lookup_elem(&type_counters, &key);

	if (v)
		*v += 1;
}

/* ---- event builder ---- */

struct ev {
	__u8 *buf;		/* scratch slot; header at offset 0 */
	struct path_buf *pbuf;	/* path buffer paired with the slot */
	__u32 off;		/* end of the data written so far */
	__u32 slot;
};

static __always_inline bool is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/*
 * The current task's registers at syscall entry, for cur_sys_arg(), given
 * the current task as a BTF pointer: where the offset from the stack base
 * was measured at start-up, plain loads (the hot hooks call no helper for
 * them); else bpf_task_pt_regs().
 */
static __always_inline struct pt_regs *task_regs(struct task_struct *t)
{
	if (have_btf_cast() && pt_regs_stack_off)
		return btf_cast((__u64)t->stack + pt_regs_stack_off, struct pt_regs);
	return current_regs();
}

/*
 * Take a scratch slot for this CPU. Returns false (and counts the loss) when
 * nested programs have used every slot. On success ev_end() must follow.
 */
static __always_inline bool ev_begin(struct ev *ev)
{
	__u32 zero = 0;
	__u32 *nest = bpf_map_lookup_elem(&nest_level, &zero);

	if (!nest)
		return false;
	__u32 slot = *nest;
	if (slot >= SCRATCH_SLOTS) {
		count(VGL_CNT_LOST_NESTED);
		return false;
	}
	ev->buf = bpf_map_lookup_elem(&scratch_map, &slot);
	ev->pbuf = bpf_map_lookup_elem(&path_bufs, &slot);
	if (!ev->buf || !ev->pbuf)
		return false;
	*nest = slot + 1;
	ev->slot = slot;
	ev->off = 0;
	return true;
}

static __always_inline void ev_end(struct ev *ev)
{
	__u32 zero = 0;
	__u32 *nest = bpf_map_lookup_elem(&nest_level, &zero);

	if (nest && *nest > 0)
		*nest -= 1;
}

static __always_inline struct vgl_hdr *ev_hdr(struct ev *ev)
{
	return (struct vgl_hdr *)ev->buf;
}

/* Pointer to the type-specific body, right after the header. */
static __always_inline void *ev_body(struct ev *ev)
{
	return ev->buf + sizeof(struct vgl_hdr);
}

/* Fill the common header from the current task. body_size is the size of
 * the type-specific struct that follows; strings start after it. */
static __always_inline struct vgl_hdr *ev_init(struct ev *ev, __u16 type, __u32 body_size)
{
	struct task_struct *task = current_task();
	struct vgl_hdr *h = ev_hdr(ev);

	h->type = type;
	h->nr_strs = 0;
	h->hdr_flags = 0;
	h->enforce_rule = 0;
	h->ret = 0;
	hdr_fill_current(h, task);

	__builtin_memset(ev->buf + sizeof(*h), 0, body_size & 255);
	ev->off = sizeof(*h) + (body_size & 255);
	return h;
}

/*
 * Pointer to byte idx of the scratch slot, provably inside it. The barrier
 * stops the compiler from folding the mask into pointer arithmetic the
 * verifier cannot bound.
 */
static __always_inline __u8 *ev_at(struct ev *ev, __u32 idx)
{
	idx &= SCRATCH_SIZE - 1;
	barrier_var(idx);
	return ev->buf + idx;
}

/* Room left for one more string, keeping the record within VGL_EVENT_MAX. */
static __always_inline __u32 ev_room(struct ev *ev, __u32 want)
{
	__u32 used = ev->off + sizeof(__u16);

	if (used >= VGL_EVENT_MAX)
		return 0;
	if (want > VGL_EVENT_MAX - used)
		want = VGL_EVENT_MAX - used;
	return want;
}

/* Append a string tail entry of len bytes whose content is already at
 * buf[off + 2]. Common end of the ev_put_* helpers. */
static __always_inline void ev_commit_str(struct ev *ev, __u32 len)
{
	__u32 off = ev->off & (VGL_EVENT_MAX - 1);

	*(__u16 *)(ev->buf + off) = len;
	ev->off = off + sizeof(__u16) + (len & (VGL_EVENT_MAX - 1));
	ev_hdr(ev)->nr_strs += 1;
}

/* Append a NUL-terminated kernel string (at most max bytes). */
static __always_inline void ev_put_kstr(struct ev *ev, const void *src, __u32 max)
{
	__u32 off = ev->off & (VGL_EVENT_MAX - 1);
	__u32 room = ev_room(ev, max);
	long n = 0;

	if (room > 1 && src)
		n = bpf_probe_read_kernel_str(ev->buf + off + 2, room & (VGL_EVENT_MAX - 1), src);
	ev_commit_str(ev, n > 0 ? n - 1 : 0);
}

/* Append a NUL-terminated user string (at most max bytes). */
static __always_inline void ev_put_ustr(struct ev *ev, const void *src, __u32 max)
{
	__u32 off = ev->off & (VGL_EVENT_MAX - 1);
	__u32 room = ev_room(ev, max);
	long n = 0;

	if (room > 1 && src)
		n = bpf_probe_read_user_str(ev->buf + off + 2, room & (VGL_EVENT_MAX - 1), src);
	ev_commit_str(ev, n > 0 ? n - 1 : 0);
}

/* Append len raw bytes of user memory (argv block). Returns bytes copied. */
static __always_inline __u32 ev_put_ubytes(struct ev *ev, const void *src, __u32 len)
{
	__u32 off = ev->off & (VGL_EVENT_MAX - 1);
	__u32 room = ev_room(ev, len) & (VGL_EVENT_MAX - 1);

	if (room && bpf_probe_read_user(ev->buf + off + 2, room, src) != 0)
		room = 0;
	ev_commit_str(ev, room);
	return room;
}

/* Append an empty string, to keep string positions fixed per type. */
static __always_inline void ev_put_empty(struct ev *ev)
{
	ev_commit_str(ev, 0);
}

/*
 * Waking the reader costs more than building the event (an IPI, measured
 * at ~5-8us per record in a VM), so wake-ups of bulk records are
 * coalesced: the first record after a quiet interval wakes the reader at
 * once; during a burst, at most one wake-up per interval per CPU, and the
 * reader's short poll timeout collects the rest. No forced wake-up
 * when the ring fills: then the reader is awake already, and forcing one
 * per record is exactly the cost this avoids.
 */
/* Bulk types (file operations, sockets and connections: the storms) are
 * coalesced. Fork and exit are silent (VGL_SILENT_TYPES). The rest (exec,
 * privilege and kernel events: rare, and what most alerts are made of)
 * wake the reader at once (urgent_wakeup_flags()). */
#define VGL_COALESCED_TYPES						\
	((1ULL << VGL_EV_OPEN) | (1ULL << VGL_EV_UNLINK) | (1ULL << VGL_EV_RENAME) |	\
	 (1ULL << VGL_EV_LINK) | (1ULL << VGL_EV_SYMLINK) | (1ULL << VGL_EV_CHMOD) |	\
	 (1ULL << VGL_EV_CHOWN) | (1ULL << VGL_EV_TRUNCATE) | (1ULL << VGL_EV_UTIMES) |	\
	 (1ULL << VGL_EV_SOCKET) | (1ULL << VGL_EV_CONNECT) | (1ULL << VGL_EV_ACCEPT) |	\
	 (1ULL << VGL_EV_BIND) | (1ULL << VGL_EV_LISTEN) | (1ULL << VGL_EV_MMAP_EXEC))

/*
 * Alert-class records (exec, privilege and kernel events): the kernel wakes
 * the reader only if it has read everything before them, so one queued
 * behind a silent or coalesced record would wait for the reader's poll
 * timeout (measured: 0.8-1.8 ms, the idle p99). Then the wake-up is forced,
 * within a budget per CPU: a burst of URGENT_BURST, refilled one per
 * urgent_interval_ns. Forcing one per exec cost the fork+exec storm ~+6%
 * (10k wake-ups, each an IPI and a reader pass); past the budget, in a
 * storm, the poll timeout bounds the delay.
 */
#define URGENT_BURST	4

static __always_inline __u64 urgent_wakeup_flags(void)
{
	__u32 one = 1;
	__u64 *due, now;	/* when the budget is back to full (GCRA) */

	if (!bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA))
		return 0;	/* the reader has read everything: the kernel wakes it */
	due = bpf_map_lookup_elem(&last_wakeup, &one);
	if (!due)
		return 0;
	now = bpf_ktime_get_ns();
	if (*due > now + (URGENT_BURST - 1) * urgent_interval_ns)
		return 0;	/* over budget */
	*due = (*due > now ? *due : now) + urgent_interval_ns;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * The process lifecycle around an exec (fork, exit) never wakes the reader:
 * they keep its process table, make no alert of their own, and come in the
 * thousands per second in a process storm, where each wake-up (an IPI,
 * ~4.5 us of the hook's time in this VM) cost more than the record. The
 * next exec's wake-up, or the reader's poll timeout, reads them.
 */
#define VGL_SILENT_TYPES	((1ULL << VGL_EV_FORK) | (1ULL << VGL_EV_EXIT))

static __always_inline __u64 wakeup_flags(__u16 type)
{
	__u32 zero = 0;
	__u64 *last, now;

	if (!wakeup_interval_ns)
		return 0;
	if (type < 64 && (VGL_SILENT_TYPES & (1ULL << type)))
		return BPF_RB_NO_WAKEUP;
	if (type >= 64 || !(VGL_COALESCED_TYPES & (1ULL << type)))
		return urgent_wakeup_flags();
	last = bpf_map_lookup_elem(&last_wakeup, &zero);
	if (!last)
		return 0;
	now = bpf_ktime_get_ns();
	if (now - *last < wakeup_interval_ns)
		return BPF_RB_NO_WAKEUP;
	*last = now;
	return 0;	/* the kernel wakes the reader only if it is idle */
}

/* Copy the record to the ring buffer. Counts the loss when it is full. */
static __always_inline void ev_submit(struct ev *ev)
{
	__u32 size = ev->off;
	__u64 flags = wakeup_flags(ev_hdr(ev)->type);

	if (size > VGL_EVENT_MAX)
		size = VGL_EVENT_MAX;
	ev_hdr(ev)->size = size;
	if (bpf_ringbuf_output(&events, ev->buf, size & (SCRATCH_SIZE - 1), flags)) {
		count(VGL_CNT_LOST_RINGBUF);
		count_type(ev_hdr(ev)->type, VGL_TC_LOST);
	} else {
		count(VGL_CNT_EVENTS);
		count_type(ev_hdr(ev)->type, VGL_TC_SUBMITTED);
	}
}

/* ---- syscall arguments at sys_exit ---- */

/*
 * At sys_exit the user registers still hold the arguments (only ax was
 * replaced by the return value), so one exit hook gives both arguments and
 * result: half the hooks of an enter/exit pair. x86-64 calling convention.
 */
/* current_regs() lives in core_fixes.bpf.h: how to find them depends on the kernel. */
static __always_inline __u64 sys_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	case 2: return BPF_CORE_READ(regs, dx);
	case 3: return BPF_CORE_READ(regs, r10);
	case 4: return BPF_CORE_READ(regs, r8);
	case 5: return BPF_CORE_READ(regs, r9);
	}
	return 0;
}


/*
 * sys_arg() for regs from current_regs(): where bpf_task_pt_regs() handed
 * them out as a BTF pointer, a plain load instead of a helper call (the
 * hot hooks: every open).
 */
static __always_inline __u64 cur_sys_arg(struct pt_regs *regs, int i)
{
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return sys_arg(regs, i);
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	case 5: return regs->r9;
	}
	return 0;
}

/* File behind a descriptor of the current task, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&f, sizeof(f), &fds[fd & 0xfffff]);
	return f;
}

#endif /* VIGIL_COMMON_BPF_H */
