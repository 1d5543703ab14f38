// SPDX-License-Identifier: GPL-2.0
/*
 * net.bpf.c - socket, connect, accept, bind and listen.
 *
 * One sys_exit hook per syscall. Addresses come from the kernel socket
 * behind the descriptor (what the kernel actually did), not from the
 * sockaddr the caller passed, except where the kernel never recorded it:
 * the destination of a failed connect and the address of a failed bind
 * are read from the user sockaddr. Which source was used follows from the
 * result alone (see docs/events-net.md), so it needs no flag.
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_UNIX_		1
#define AF_INET_		2
#define AF_INET6_		10
#define AF_PACKET_		17
#define SOCK_RAW_		3
#define SOCK_TYPE_MASK_		0xf	/* socket() type without SOCK_NONBLOCK/CLOEXEC */
#define EAGAIN_			11
#define EINPROGRESS_		115
#define S_IFMT_			00170000
#define S_IFSOCK_		0140000
#define UNIX_PATH_MAX_		108
#define SUN_PATH_OFF		2	/* offsetof(struct sockaddr_un, sun_path) */

/*
 * Decisions of the cgroup connect hooks of src/bpf/netblock.bpf.c (which
 * shares this map by fd), keyed by pid_tgid: the connect event of the same
 * thread and socket carries what the hook did, so a blocked connect is one
 * event, not two.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vgl_nb_verdict);
} nb_verdicts SEC(".maps");

/* Socket behind fd of the current task, or NULL if fd is not a socket. */
static __always_inline struct sock *fd_sock(int fd)
{
	struct file *f = fd_file(current_task(), fd);
	struct socket *sock;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT_) != S_IFSOCK_)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

static __always_inline bool net_is_inet(const struct vgl_net *n)
{
	return n->family == AF_INET_ || n->family == AF_INET6_;
}

static __always_inline void net_set_flags(struct vgl_net *n)
{
	if (n->type == SOCK_RAW_)
		n->flags |= VGL_NET_F_RAW;
	if (n->family == AF_PACKET_)
		n->flags |= VGL_NET_F_PACKET;
}

/* Family, type, protocol, local and remote address of a kernel socket. */
static __always_inline void net_from_sock(struct vgl_net *n, struct sock *sk)
{
	n->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	n->type = BPF_CORE_READ(sk, sk_type);
	n->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (n->family == AF_INET_) {
		bpf_core_read(n->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(n->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (n->family == AF_INET6_ &&
		   bpf_core_field_exists(sk->__sk_common.skc_v6_daddr)) {	/* CONFIG_IPV6 */
		bpf_core_read(n->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(n->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return;
	}
	n->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	n->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/*
 * Address and port of a user sockaddr_in/sockaddr_in6 into (addr, port),
 * when its family matches the socket's. Returns false if it could not be
 * read.
 */
static __always_inline bool net_addr_from_user(struct vgl_net *n, const void *usa, __u32 alen,
					       __u8 *addr, __u16 *port)
{
	__u8 sa[28] = {};	/* sizeof(struct sockaddr_in6) */
	__u16 family;

	if (!usa || alen < 8 || bpf_probe_read_user(sa, alen < sizeof(sa) ? 8 : sizeof(sa), usa))
		return false;
	family = sa[0] | sa[1] << 8;
	if (family != n->family)
		return false;
	*port = sa[2] << 8 | sa[3];
	if (family == AF_INET_)
		__builtin_memcpy(addr, sa + 4, 4);
	else if (family == AF_INET6_ && alen >= sizeof(sa))
		__builtin_memcpy(addr, sa + 8, 16);
	return true;
}

/*
 * Append a sun_path of len bytes (kernel or user memory). Abstract names
 * (leading NUL) are copied raw, with their exact length, because they may
 * hold any byte; path names end at their first NUL.
 */
static __always_inline void put_sun_path(struct ev *ev, const char *path, int len, bool user)
{
	void *dst = ev_at(ev, (ev->off & (VGL_EVENT_MAX - 1)) + 2);
	__u32 want, size;
	char first = 1;
	long n = 0;

	if (len <= 0 || !path) {
		ev_put_empty(ev);
		return;
	}
	want = len > UNIX_PATH_MAX_ ? UNIX_PATH_MAX_ : len;
	if (user)
		bpf_probe_read_user(&first, 1, path);
	else
		bpf_probe_read_kernel(&first, 1, path);
	if (first == 0) {
		size = ev_room(ev, want);
		barrier_var(size);	/* keep the mask: the compiler knows size <= 108 */
		size &= 127;
		if (size && !(user ? bpf_probe_read_user(dst, size, path)
				   : bpf_probe_read_kernel(dst, size, path)))
			n = size;
	} else {
		size = ev_room(ev, want + 1);
		barrier_var(size);
		size &= 127;
		if (size > 1)
			n = user ? bpf_probe_read_user_str(dst, size, path)
				 : bpf_probe_read_kernel_str(dst, size, path);
		n = n > 0 ? n - 1 : 0;
	}
	ev_commit_str(ev, n);
}

/* Append the bound name of an AF_UNIX kernel socket ("" when unnamed). */
static __always_inline void put_unix_addr(struct ev *ev, struct sock *sk)
{
	struct unix_address *ua = sk ? BPF_CORE_READ((struct unix_sock *)sk, addr) : NULL;

	if (!ua) {
		ev_put_empty(ev);
		return;
	}
	/* name is a struct sockaddr_un and len counts its family too */
	put_sun_path(ev, (const char *)ua->name + SUN_PATH_OFF, BPF_CORE_READ(ua, len) - SUN_PATH_OFF,
		     false);
}

/* Append the sun_path of a user sockaddr_un of alen bytes. */
static __always_inline void put_unix_user(struct ev *ev, const char *usa, __u32 alen)
{
	__u16 family = 0;

	if (usa)
		bpf_probe_read_user(&family, sizeof(family), usa);
	if (family != AF_UNIX_ || alen <= SUN_PATH_OFF) {
		ev_put_empty(ev);
		return;
	}
	put_sun_path(ev, usa + SUN_PATH_OFF, alen - SUN_PATH_OFF, true);
}

/*
 * Mark the event with the block hook's decision on this connect, if there
 * was one. The socket cookie ties the decision to this socket: a decision
 * left by a connect no sys_exit_connect followed (io_uring) never lands
 * on another call. The kernel generated the cookie when the hook asked.
 */
static __always_inline void net_apply_verdict(struct vgl_hdr *h, struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vgl_nb_verdict *v = bpf_map_lookup_elem(&nb_verdicts, &id);

	if (!v)
		return;
	if (sk && v->cookie == BPF_CORE_READ(sk, __sk_common.skc_cookie.counter)) {
		h->enforce_rule = v->enforce_rule;
		h->hdr_flags |= v->hdr_flags;
	}
	bpf_map_delete_elem(&nb_verdicts, &id);
}

/* Start a net event for the current task. Returns the body, or NULL. */
static __always_inline struct vgl_net *net_begin(struct ev *ev, __u16 type, long ret)
{
	if (is_self() || !ev_begin(ev))
		return NULL;
	ev_init(ev, type, sizeof(struct vgl_net))->ret = ret;
	return ev_body(ev);
}

/* Describe the socket behind fd from the kernel's struct sock. Returns it
 * (NULL when fd is not a socket). */
static __always_inline struct sock *net_from_fd(struct vgl_net *n, int fd)
{
	struct sock *sk = fd_sock(fd);

	n->fd = fd;
	if (sk)
		net_from_sock(n, sk);
	return sk;
}

static __always_inline void net_finish(struct ev *ev, struct vgl_net *n)
{
	net_set_flags(n);
	ev_submit(ev);
	ev_end(ev);
}

/* [0] 1: the rules match only raw and packet sockets, so only those are
 * sent (src/detect/socket_filter.c decides; a trace sends all) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} socket_filter SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_socket")
int vgl_sys_exit_socket(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	__u32 zero = 0, *special_only = bpf_map_lookup_elem(&socket_filter, &zero);
	struct vgl_net *n;
	struct sock *sk;
	struct ev ev;

	if (special_only && *special_only &&
	    (sys_arg(regs, 1) & SOCK_TYPE_MASK_) != SOCK_RAW_ && sys_arg(regs, 0) != AF_PACKET_) {
		count(VGL_CNT_FILTERED);
		return 0;
	}
	n = net_begin(&ev, VGL_EV_SOCKET, ctx->ret);
	if (!n)
		return 0;
	n->fd = ctx->ret >= 0 ? ctx->ret : -1;
	n->family = sys_arg(regs, 0);
	n->type = sys_arg(regs, 1) & SOCK_TYPE_MASK_;
	n->protocol = sys_arg(regs, 2);
	/* protocol 0 means "the default": the kernel socket knows which
	 * (AF_PACKET keeps it elsewhere, so a kernel 0 keeps the argument) */
	sk = ctx->ret >= 0 ? fd_sock(ctx->ret) : NULL;
	if (sk && BPF_CORE_READ(sk, sk_protocol))
		n->protocol = BPF_CORE_READ(sk, sk_protocol);
	ev_put_empty(&ev);
	net_finish(&ev, n);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int vgl_sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	const void *usa = (const void *)sys_arg(regs, 1);
	__u32 alen = sys_arg(regs, 2);
	struct vgl_net *n;
	struct sock *sk;
	struct ev ev;
	bool user_dst;

	n = net_begin(&ev, VGL_EV_CONNECT, ctx->ret);
	if (!n)
		return 0;
	sk = net_from_fd(n, sys_arg(regs, 0));
	net_apply_verdict(ev_hdr(&ev), sk);
	/* the kernel holds the destination only once the attempt is under way,
	 * and a loopback refusal can reset it before we get here (dport 0) */
	user_dst = (ctx->ret != 0 && ctx->ret != -EINPROGRESS_) || !sk;
	if (user_dst || (net_is_inet(n) && !n->dport)) {
		__builtin_memset(n->daddr, 0, sizeof(n->daddr));
		n->dport = 0;
		net_addr_from_user(n, usa, alen, n->daddr, &n->dport);
	}
	if (n->family != AF_UNIX_)
		ev_put_empty(&ev);
	else if (!user_dst)
		put_unix_addr(&ev, BPF_CORE_READ((struct unix_sock *)sk, peer));
	else
		put_unix_user(&ev, usa, alen);
	net_finish(&ev, n);
	return 0;
}

/* accept/accept4: the new socket is the returned fd; its remote end is the
 * peer. A failed accept reports the listening socket. */
static __always_inline int net_accept(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_net *n;
	struct sock *sk;
	struct ev ev;

	/* event loops poll non-blocking listeners: "nothing yet" is not an attempt */
	if (ctx->ret == -EAGAIN_)
		return 0;
	n = net_begin(&ev, VGL_EV_ACCEPT, ctx->ret);
	if (!n)
		return 0;
	sk = net_from_fd(n, ctx->ret >= 0 ? ctx->ret : sys_arg(regs, 0));
	if (n->family == AF_UNIX_)
		put_unix_addr(&ev, sk);	/* an accepted socket carries the listener's name */
	else
		ev_put_empty(&ev);
	net_finish(&ev, n);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int vgl_sys_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return net_accept(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int vgl_sys_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return net_accept(ctx);
}

SEC("tracepoint/syscalls/sys_exit_bind")
int vgl_sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	const void *usa = (const void *)sys_arg(regs, 1);
	__u32 alen = sys_arg(regs, 2);
	struct vgl_net *n;
	struct sock *sk;
	struct ev ev;

	n = net_begin(&ev, VGL_EV_BIND, ctx->ret);
	if (!n)
		return 0;
	sk = net_from_fd(n, sys_arg(regs, 0));
	/* a failed bind left the socket unbound: report what was asked for */
	if (ctx->ret != 0 || !sk) {
		__builtin_memset(n->saddr, 0, sizeof(n->saddr));
		n->sport = 0;
		net_addr_from_user(n, usa, alen, n->saddr, &n->sport);
	}
	if (n->family != AF_UNIX_)
		ev_put_empty(&ev);
	else if (ctx->ret == 0 && sk)
		put_unix_addr(&ev, sk);
	else
		put_unix_user(&ev, usa, alen);
	net_finish(&ev, n);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int vgl_sys_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_net *n;
	struct sock *sk;
	struct ev ev;

	n = net_begin(&ev, VGL_EV_LISTEN, ctx->ret);
	if (!n)
		return 0;
	n->backlog = sys_arg(regs, 1);
	sk = net_from_fd(n, sys_arg(regs, 0));
	if (n->family == AF_UNIX_)
		put_unix_addr(&ev, sk);
	else
		ev_put_empty(&ev);
	net_finish(&ev, n);
	return 0;
}
