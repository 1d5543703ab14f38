// SPDX-License-Identifier: GPL-2.0
/*
 * netblock.bpf.c - `action: block` rules on connect and sendmsg, decided by
 * cgroup socket hooks on the cgroup v2 root. Returning 0 refuses the call
 * with EPERM before any packet leaves; the peer never sees the attempt.
 *
 * Its own object and skeleton (not linked into the sensor): it is pinned
 * and outlives vigil. It shares three maps with the sensor, by fd:
 *   events             the ring buffer: a refused or over-budget sendmsg is
 *                      reported by a record of its own (no sensor hook sees
 *                      sendto)
 *   nb_verdicts        a connect's decision, which the sensor's
 *                      sys_exit_connect event carries (one event per connect)
 *   container_cgroups  cgroups of containers, filled by the sensor at exec
 *
 * Helpers, checked on 6.18 as root: cgroup sock_addr programs may call
 * get_current_pid_tgid, _uid_gid, _comm, _cgroup_id, _task, _task_btf,
 * probe_read_kernel, ktime_get_ns/_boot_ns, get_socket_cookie and ringbuf
 * output (the task helpers need CAP_PERFMON), so a record here carries the
 * same header as the sensor's. Only the descriptor is unknown (fd -1).
 */
#define __VIGIL_BPF__
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil_abi.h"
#include "core_fixes.bpf.h"

#define ALLOW		1
#define REFUSE		0	/* the caller gets EPERM */
#define EPERM_		1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define NSEC_PER_SEC	1000000000ULL

char LICENSE[] SEC("license") = "GPL";

/* ---- maps of our own (pinned) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_nb_conf);
} nb_conf SEC(".maps");

/* one rule set per generation */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vgl_nb_set);
} nb_sets SEC(".maps");

/* destination prefix -> address-set bits (of every set covering it) */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vgl_nb_lpm4);
	__type(value, __u64);
} nb_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vgl_nb_lpm6);
	__type(value, __u64);
} nb_lpm6 SEC(".maps");

/* destination port -> port-set bits */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vgl_nb_port_key);
	__type(value, __u64);
} nb_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VGL_ENF_SLOTS_MAX);
	__type(key, __u32);
	__type(value, struct vgl_nb_rate);
} nb_rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VGL_NB_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} nb_counters SEC(".maps");

/* ---- maps of the sensor (userspace reuses its fds before load) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vgl_nb_verdict);
} nb_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} container_cgroups SEC(".maps");

static __always_inline void nb_count(enum vgl_nb_counter which)
{
	__u32 key = which;
	__u64 *v = bpf_map_lookup_elem(&nb_counters, &key);

	if (v)
		*v += 1;
}

/* ---- facts ---- */

static __always_inline __u32 task_pidns_level(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread_pid, level);
}

/*
 * A container is a cgroup the sensor saw a child pid namespace exec in, or
 * the caller's own pid namespace when the sensor has not seen it (vigil was
 * down, or the process has not exec'ed since vigil started).
 */
static __always_inline bool in_container(void)
{
	__u64 cgid = bpf_get_current_cgroup_id();

	if (bpf_map_lookup_elem(&container_cgroups, &cgid))
		return true;
	return task_pidns_level((struct task_struct *)bpf_get_current_task()) > 0;
}

static __always_inline __u64 socket_facts(struct bpf_sock_addr *ctx, bool v6)
{
	__u64 f = 1ULL << (v6 ? VGL_NB_INET6 : VGL_NB_INET4);

	if (ctx->protocol == IPPROTO_TCP_)
		f |= 1ULL << VGL_NB_TCP;
	else if (ctx->protocol == IPPROTO_UDP_)
		f |= 1ULL << VGL_NB_UDP;
	if (in_container())
		f |= 1ULL << VGL_NB_IN_CONTAINER;
	return f;
}

static __always_inline __u64 lookup_v4(__u32 ip4_be, __u8 gen)
{
	struct vgl_nb_lpm4 key = { .prefixlen = 8 + 32, .gen = gen };
	__u64 *bits;

	__builtin_memcpy(key.addr, &ip4_be, 4);
	bits = bpf_map_lookup_elem(&nb_lpm4, &key);
	return bits ? *bits : 0;
}

/*
 * Address-set bits of the destination. An IPv4-mapped IPv6 destination
 * (::ffff:a.b.c.d) is looked up in both tries: a rule naming the IPv4
 * address blocks it whichever socket reaches it.
 */
static __always_inline __u64 addr_facts(struct bpf_sock_addr *ctx, bool v6, __u8 gen)
{
	struct vgl_nb_lpm6 key = { .prefixlen = 8 + 128, .gen = gen };
	__u32 ip6[4];
	__u64 *bits, f = 0;

	if (!v6)
		return lookup_v4(ctx->user_ip4, gen);
	/* ctx fields take constant offsets only */
	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
	__builtin_memcpy(key.addr, ip6, 16);
	bits = bpf_map_lookup_elem(&nb_lpm6, &key);
	if (bits)
		f = *bits;
	if (ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0xffff))
		f |= lookup_v4(ip6[3], gen);
	return f;
}

static __always_inline __u64 port_facts(struct bpf_sock_addr *ctx, __u8 gen)
{
	struct vgl_nb_port_key key = { .port = bpf_ntohs((__u16)ctx->user_port), .gen = gen };
	__u64 *bits = bpf_map_lookup_elem(&nb_ports, &key);

	return bits ? *bits : 0;
}

/* ---- decision ---- */

/* Slots (bits) with a matching term and no matching exception term. */
static __always_inline __u64 acting_slots(const struct vgl_nb_set *set, __u64 facts)
{
	__u64 match = 0, except = 0;

	for (__u32 i = 0; i < VGL_ENF_TERMS_MAX; i++) {
		const struct vgl_enf_term *t = &set->terms[i];
		__u64 bit;

		if (i >= set->nterms)
			break;
		if ((facts & t->must) != t->must || (facts & t->must_not))
			continue;
		bit = 1ULL << (t->slot & (VGL_ENF_SLOTS_MAX - 1));
		if (t->except)
			except |= bit;
		else
			match |= bit;
	}
	return match & ~except;
}

/* Lowest set bit's index: slots are numbered in policy order. */
static __always_inline __u32 first_slot(__u64 slots)
{
	for (__u32 i = 0; i < VGL_ENF_SLOTS_MAX; i++)
		if (slots & (1ULL << i))
			return i;
	return 0;
}

/*
 * Take one action from the slot's budget for this second. False when it is
 * spent; *first_over then says whether this is the first refusal of the
 * window (so a flood of sendmsg is reported once, and counted).
 */
static __always_inline bool take_budget(__u32 slot, __u32 rate, bool *first_over)
{
	struct vgl_nb_rate *r;
	__u64 now;

	*first_over = false;
	if (!rate)
		return true;
	r = bpf_map_lookup_elem(&nb_rates, &slot);
	if (!r)
		return true;
	now = bpf_ktime_get_ns();
	if (now - r->window_ns >= NSEC_PER_SEC) {
		r->window_ns = now;
		r->count = 0;
		r->reported = 0;
	}
	if (r->count < rate) {
		__sync_fetch_and_add(&r->count, 1);
		return true;
	}
	*first_over = !r->reported;
	r->reported = 1;
	return false;
}

struct decision {
	__u16 enforce_rule;	/* 0: nothing to do */
	__u8 hdr_flags;		/* VGL_HF_BLOCKED or VGL_HF_RATE_LIMITED */
	bool report;		/* sendmsg: worth a record of its own */
};

static __always_inline struct decision decide(struct bpf_sock_addr *ctx, bool v6)
{
	struct decision d = {};
	struct vgl_nb_conf *conf;
	struct vgl_nb_set *set;
	__u32 zero = 0, gen, slot;
	__u64 facts, acting;
	bool first_over;

	conf = bpf_map_lookup_elem(&nb_conf, &zero);
	if (!conf)
		return d;
	gen = conf->live & 1;
	set = bpf_map_lookup_elem(&nb_sets, &gen);
	if (!set || !set->nterms)
		return d;
	facts = socket_facts(ctx, v6) | addr_facts(ctx, v6, gen) | port_facts(ctx, gen);
	acting = acting_slots(set, facts);
	if (!acting)
		return d;
	slot = first_slot(acting) & (VGL_ENF_SLOTS_MAX - 1);
	d.enforce_rule = set->slot_rule[slot] + 1;
	if (take_budget(slot, set->slot_rate[slot], &first_over)) {
		d.hdr_flags = VGL_HF_BLOCKED;
		d.report = true;
		nb_count(VGL_NB_CNT_BLOCKED);
	} else {
		d.hdr_flags = VGL_HF_RATE_LIMITED;
		d.report = first_over;
		nb_count(VGL_NB_CNT_RATE_LIMITED);
	}
	return d;
}

/* ---- reporting ---- */

/* For the sensor's sys_exit_connect of this thread and socket. */
static __always_inline void leave_verdict(struct bpf_sock_addr *ctx, const struct decision *d)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vgl_nb_verdict v = {
		.cookie = bpf_get_socket_cookie(ctx),
		.enforce_rule = d->enforce_rule,
		.hdr_flags = d->hdr_flags,
	};

	bpf_map_update_elem(&nb_verdicts, &id, &v, BPF_ANY);
}

/* header | struct vgl_net | one empty string (the unix path of connect events) */
struct nb_record {
	struct vgl_hdr h;
	struct vgl_net n;
	__u16 unix_path_len;
};

#define NB_RECORD_SIZE (sizeof(struct vgl_hdr) + sizeof(struct vgl_net) + sizeof(__u16))

static __always_inline void fill_hdr(struct vgl_hdr *h, const struct decision *d)
{
	h->type = VGL_EV_CONNECT;
	h->size = NB_RECORD_SIZE;
	h->nr_strs = 1;
	h->hdr_flags = d->hdr_flags;
	h->enforce_rule = d->enforce_rule;
	h->ret = d->hdr_flags == VGL_HF_BLOCKED ? -EPERM_ : 0;
	hdr_fill_current(h, (struct task_struct *)bpf_get_current_task());
}

static __always_inline void fill_net(struct vgl_net *n, struct bpf_sock_addr *ctx, bool v6)
{
	struct bpf_sock *sk = ctx->sk;

	n->family = ctx->family;
	n->type = ctx->type;
	n->protocol = ctx->protocol;
	n->fd = -1;		/* a socket hook does not know the descriptor */
	n->dport = bpf_ntohs((__u16)ctx->user_port);
	if (!v6) {
		__u32 ip4 = ctx->user_ip4;

		__builtin_memcpy(n->daddr, &ip4, 4);
	} else {
		__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
				 ctx->user_ip6[3] };

		__builtin_memcpy(n->daddr, ip6, 16);
	}
	if (!sk)
		return;
	n->sport = sk->src_port;
	if (!v6) {
		__u32 ip4 = sk->src_ip4;

		__builtin_memcpy(n->saddr, &ip4, 4);
	} else {
		__u32 ip6[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2], sk->src_ip6[3] };

		__builtin_memcpy(n->saddr, ip6, 16);
	}
}

/* A sendmsg the sensor does not see: report it as a connect attempt. */
static __always_inline void emit_record(struct bpf_sock_addr *ctx, const struct decision *d,
					bool v6)
{
	struct nb_record r;

	__builtin_memset(&r, 0, sizeof(r));
	fill_hdr(&r.h, d);
	fill_net(&r.n, ctx, v6);
	if (bpf_ringbuf_output(&events, &r, NB_RECORD_SIZE, 0))
		nb_count(VGL_NB_CNT_LOST_RINGBUF);
}

static __always_inline int on_connect(struct bpf_sock_addr *ctx, bool v6)
{
	struct decision d = decide(ctx, v6);

	if (!d.enforce_rule)
		return ALLOW;
	leave_verdict(ctx, &d);
	return d.hdr_flags == VGL_HF_BLOCKED ? REFUSE : ALLOW;
}

static __always_inline int on_sendmsg(struct bpf_sock_addr *ctx, bool v6)
{
	struct decision d = decide(ctx, v6);

	if (!d.enforce_rule)
		return ALLOW;
	if (d.report)
		emit_record(ctx, &d, v6);
	return d.hdr_flags == VGL_HF_BLOCKED ? REFUSE : ALLOW;
}

SEC("cgroup/connect4")
int nb_connect4(struct bpf_sock_addr *ctx)
{
	return on_connect(ctx, false);
}

SEC("cgroup/connect6")
int nb_connect6(struct bpf_sock_addr *ctx)
{
	return on_connect(ctx, true);
}

SEC("cgroup/sendmsg4")
int nb_sendmsg4(struct bpf_sock_addr *ctx)
{
	return on_sendmsg(ctx, false);
}

SEC("cgroup/sendmsg6")
int nb_sendmsg6(struct bpf_sock_addr *ctx)
{
	return on_sendmsg(ctx, true);
}
