/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enforce.bpf.h - in-kernel `kill` rules at exec, and the protected-program
 * facts that both the rules and the event need.
 *
 * Userspace compiles kill rules into terms over a 64-bit fact vector
 * (vigil_abi.h, src/respond/exec_plan.c). At sched_process_exec the new
 * image has not run one instruction: a SIGKILL sent here ends it before it
 * does anything, while its parent and everything else keep running.
 */
#ifndef VIGIL_ENFORCE_BPF_H
#define VIGIL_ENFORCE_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"	/* EV_IDX */

#define SIGKILL_	9
#define PF_KTHREAD_	0x00200000

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vgl_enf_exec_set);
} enf_exec_sets SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_enf_conf);
} enf_conf SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct vgl_enf_name_key);
	__type(value, __u64);
} enf_names SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct vgl_enf_path_key);
	__type(value, __u64);
} enf_paths SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VGL_ENF_SLOTS_MAX);
	__type(key, __u32);
	__type(value, struct vgl_enf_rate);
} enf_rate SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct vgl_enf_protected_key);
	__type(value, __u8);
} enf_protected SEC(".maps") __weak;

/* Executables whose hash is on a rule's list, learned by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vgl_enf_inode_key);
	__type(value, struct vgl_enf_inode_val);
} enf_inodes SEC(".maps") __weak;

/* Container-set bits of the cgroups userspace has classified. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vgl_enf_cgroup_key);
	__type(value, __u64);
} enf_cgroups SEC(".maps") __weak;

/* Per task: its image is a protected program. Set at exec, inherited at
 * fork, so at the next exec we know what the task ran before it. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} image_protected SEC(".maps") __weak;

/* ---- protected programs ---- */

static __always_inline bool inode_protected(__u32 dev, __u64 ino)
{
	struct vgl_enf_protected_key key = { .ino = ino, .dev = dev };

	return bpf_map_lookup_elem(&enf_protected, &key) != NULL;
}

/* Record whether task's new image is protected; returns whether its
 * previous image was. */
static __always_inline bool image_protected_swap(struct task_struct *task, bool now)
{
	__u8 *v = bpf_task_storage_get(&image_protected, task, 0,
				       now ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	bool before = v && *v;

	if (v)
		*v = now;
	return before;
}

static __always_inline void image_protected_inherit(struct task_struct *parent,
						   struct task_struct *child)
{
	__u8 *p = bpf_task_storage_get(&image_protected, parent, 0, 0);
	__u8 *c;

	if (!p || !*p)
		return;
	c = bpf_task_storage_get(&image_protected, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (c)
		*c = 1;
}

static __always_inline void exec_protection_facts(struct vgl_exec *x, struct task_struct *task)
{
	bool now = inode_protected(x->dev, x->ino);

	if (now)
		x->flags |= VGL_EXEC_PROTECTED;
	if (image_protected_swap(task, now))
		x->flags |= VGL_EXEC_EXECER_PROTECTED;
}

/* ---- facts ---- */

static __always_inline __u64 exec_fixed_facts(const struct vgl_hdr *h, const struct vgl_exec *x)
{
	static const struct { __u32 flag; __u8 fact; } map[] = {
		{ VGL_EXEC_MEMFD, VGL_FACT_MEMFD },
		{ VGL_EXEC_DELETED, VGL_FACT_DELETED },
		{ VGL_EXEC_TMPFS, VGL_FACT_TMPFS },
		{ VGL_EXEC_WRITTEN, VGL_FACT_WRITTEN },
		{ VGL_EXEC_UPPER_LAYER, VGL_FACT_UPPER_LAYER },
		{ VGL_EXEC_SETUID, VGL_FACT_SETUID },
		{ VGL_EXEC_SCRIPT, VGL_FACT_SCRIPT },
		{ VGL_EXEC_LD_PRELOAD, VGL_FACT_LD_PRELOAD },
		{ VGL_EXEC_OUTSIDE_ROOT, VGL_FACT_OUTSIDE_ROOT },
		{ VGL_EXEC_TMPDIR, VGL_FACT_EXE_IN_TMP },
		{ VGL_EXEC_EXECER_PROTECTED, VGL_FACT_EXECER_PROTECTED },
	};
	__u64 f = 0;

	for (int i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (x->flags & map[i].flag)
			f |= 1ULL << map[i].fact;
	if (h->hdr_flags & VGL_HF_IN_CHILD_PIDNS)
		f |= 1ULL << VGL_FACT_IN_CONTAINER;
	if (x->stdio[0] == VGL_FD_SOCKET)
		f |= 1ULL << VGL_FACT_STDIN_SOCKET;
	if (x->stdio[1] == VGL_FD_SOCKET)
		f |= 1ULL << VGL_FACT_STDOUT_SOCKET;
	if (x->stdio[2] == VGL_FD_SOCKET)
		f |= 1ULL << VGL_FACT_STDERR_SOCKET;
	if (h->euid == 0)
		f |= 1ULL << VGL_FACT_EUID0;
	return f;
}

static __always_inline __u64 name_bits(struct vgl_enf_name_key *key)
{
	__u64 *bits = bpf_map_lookup_elem(&enf_names, key);

	return bits ? *bits : 0;
}

/* Set bits of the command name, the parent's and the executable's file
 * name (the path's last component, read from the event being built). */
static __always_inline __u64 exec_name_facts(struct ev *ev, struct task_struct *task, __u32 gen,
					     __u32 path_idx, __u32 plen)
{
	struct vgl_enf_name_key key = {};
	__u64 f;
	__u32 start = plen, n;

	key.kind = VGL_ENF_COMM | gen << 4;
	bpf_probe_read_kernel(key.name, VGL_COMM_LEN, task->comm);
	f = name_bits(&key);

	__builtin_memset(key.name, 0, sizeof(key.name));
	key.kind = VGL_ENF_PCOMM | gen << 4;
	bpf_probe_read_kernel(key.name, VGL_COMM_LEN, BPF_CORE_READ(task, real_parent, comm));
	f |= name_bits(&key);

	/* the last component, if it fits a key: longer names cannot equal one */
	for (n = 0; n <= VGL_ENF_NAME_LEN && start > 0; n++) {
		if (*ev_at(ev, path_idx + start - 1) == '/')
			break;
		start--;
	}
	if (n == 0 || n >= VGL_ENF_NAME_LEN)
		return f;
	__builtin_memset(key.name, 0, sizeof(key.name));
	key.kind = VGL_ENF_EXE_NAME | gen << 4;
	for (__u32 i = 0; i < VGL_ENF_NAME_LEN - 1; i++) {
		if (i >= n)
			break;
		key.name[i] = *ev_at(ev, path_idx + start + i);
	}
	return f | name_bits(&key);
}

static __always_inline __u64 path_bits(__u64 hash, __u32 len, __u32 kind)
{
	struct vgl_enf_path_key key = { .hash = hash, .len = len, .kind = kind };
	__u64 *bits = bpf_map_lookup_elem(&enf_paths, &key);

	return bits ? *bits : 0;
}

/* Set bits of the path prefixes ending at each '/', and of the whole path. */
static __always_inline __u64 exec_path_facts(struct ev *ev, __u32 gen, __u32 path_idx, __u32 plen)
{
	__u64 hash = VGL_FNV_OFFSET, f = 0;
	__u32 i;

	for (i = 0; i < VGL_ENF_PATH_SCAN; i++) {
		if (i >= plen)
			break;
		__u8 c = *ev_at(ev, path_idx + i);

		hash = (hash ^ c) * VGL_FNV_PRIME;
		if (c == '/')
			f |= path_bits(hash, i + 1, VGL_ENF_PATH_PREFIX | gen << 4);
	}
	if (i == plen)
		f |= path_bits(hash, plen, VGL_ENF_PATH_EXACT | gen << 4);
	return f;
}

/* Bits userspace learned: the hash sets of this very file version, and
 * the container sets of the task's cgroup (with CGROUP_KNOWN when the
 * cgroup was classified at all). */
static __always_inline __u64 exec_learned_facts(const struct vgl_hdr *h, const struct vgl_exec *x,
						__u32 gen)
{
	struct vgl_enf_inode_key ik = { .ino = x->ino, .dev = x->dev, .gen = gen };
	struct vgl_enf_cgroup_key ck = { .cgroup_id = h->cgroup_id, .gen = gen };
	struct vgl_enf_inode_val *iv;
	__u64 *cbits, f = 0;

	iv = bpf_map_lookup_elem(&enf_inodes, &ik);
	if (iv && iv->ctime_ns == x->ctime_ns)
		f |= iv->bits;
	cbits = bpf_map_lookup_elem(&enf_cgroups, &ck);
	if (cbits)
		f |= *cbits | 1ULL << VGL_FACT_CGROUP_KNOWN;
	return f;
}

/* ---- decision ---- */

/* The first slot (policy order) that matches and is not excepted, or -1. */
static __always_inline int enf_decide(const struct vgl_enf_exec_set *set, __u64 facts)
{
	__u64 matched = 0, excepted = 0, acting;
	__u32 n = set->nterms;

	for (__u32 i = 0; i < VGL_ENF_TERMS_MAX; i++) {
		if (i >= n)
			break;
		const struct vgl_enf_term *t = &set->terms[i];

		if ((facts & t->must) != t->must || (facts & t->must_not))
			continue;
		if (t->except)
			excepted |= 1ULL << (t->slot & 63);
		else
			matched |= 1ULL << (t->slot & 63);
	}
	acting = matched & ~excepted;
	for (int slot = 0; slot < VGL_ENF_SLOTS_MAX; slot++)
		if (acting & (1ULL << slot))
			return slot;
	return -1;
}

/* Within the slot's budget of kills per second? Races at the window edge
 * only let a kill or two more through. */
static __always_inline bool enf_rate_ok(__u32 slot, __u32 per_sec, __u64 now)
{
	struct vgl_enf_rate *r;

	if (!per_sec)
		return true;
	r = bpf_map_lookup_elem(&enf_rate, &slot);
	if (!r)
		return true;
	if (now - r->window_ns >= 1000000000ULL) {
		r->window_ns = now;
		r->count = 0;
	}
	if (r->count >= per_sec)
		return false;
	__sync_fetch_and_add(&r->count, 1);
	return true;
}

/* Never PID 1 of the host, a kernel thread, or a protected program. */
static __always_inline bool enf_may_act(struct task_struct *task, const struct vgl_hdr *h,
					const struct vgl_exec *x)
{
	if (h->pid == 1 && !(h->hdr_flags & VGL_HF_IN_CHILD_PIDNS))
		return false;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD_)
		return false;
	return !(x->flags & VGL_EXEC_PROTECTED);
}

/*
 * Evaluate the live kill rules on the exec being reported in scratch slot
 * scratch_slot (header and body filled, the executed path's string at
 * path_at) and kill the new image when one acts. The header records the
 * rule and the outcome. A global function: the verifier checks it once on
 * its own instead of once per path through the exec program's walks.
 */
__noinline int vgl_enforce_exec(__u32 scratch_slot, __u32 path_at)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vgl_enf_exec_set *set;
	struct vgl_enf_conf *conf;
	__u32 zero = 0, gen, path_idx, plen;
	struct vgl_hdr *h;
	struct vgl_exec *x;
	struct ev ev = {};
	__u64 facts;
	int slot;

	conf = bpf_map_lookup_elem(&enf_conf, &zero);
	if (!conf || !conf->kill)
		return 0;
	gen = conf->live & 1;
	set = bpf_map_lookup_elem(&enf_exec_sets, &gen);
	ev.buf = bpf_map_lookup_elem(&scratch_map, &scratch_slot);
	if (!set || !set->nterms || !ev.buf)
		return 0;
	h = ev_hdr(&ev);
	x = ev_body(&ev);

	path_idx = EV_IDX(path_at) + 2;
	plen = *(__u16 *)ev_at(&ev, EV_IDX(path_at)) & (VGL_PATH_MAX - 1);
	facts = exec_fixed_facts(h, x) | exec_name_facts(&ev, task, gen, path_idx, plen) |
		exec_path_facts(&ev, gen, path_idx, plen) | exec_learned_facts(h, x, gen);
	slot = enf_decide(set, facts);
	if (slot < 0)
		return 0;
	h->enforce_rule = set->slot_rule[slot & 63] + 1;
	if (!enf_may_act(task, h, x))
		return 0;	/* userspace reports "protected" */
	if (!enf_rate_ok(slot, set->slot_rate[slot & 63], h->ts_ns)) {
		h->hdr_flags |= VGL_HF_RATE_LIMITED;
		return 0;
	}
	h->hdr_flags |= bpf_send_signal(SIGKILL_) == 0 ? VGL_HF_KILLED : VGL_HF_KILL_FAILED;
	return 1;
}

#endif
