// SPDX-License-Identifier: GPL-2.0
/*
 * priv.bpf.c - privilege and kernel events: credential changes, capset,
 * ptrace, process_vm_writev, kernel modules, kexec, bpf(), mount/umount,
 * namespaces, prctl(PR_SET_NAME), security.capability xattrs, io_uring.
 *
 * All of them use struct vgl_syscall: one sys_exit hook per syscall, the
 * arguments read back from the user registers at exit, the result in
 * hdr->ret. What each arg[] slot and string holds per type is listed in
 * docs/events-priv.md and decoded by src/output/format_priv.c.
 *
 * Module and kexec syscalls lose their tracepoints when the kernel is built
 * without module/kexec support; the loader then routes them through
 * vgl_raw_sys_exit_fallback, which calls the same body builders.
 */
#include "common.bpf.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* x86-64 syscall numbers the builders branch on */
#define NR_setgid		106
#define NR_setregid		114
#define NR_setresgid		119
#define NR_setfsgid		123
#define NR_init_module		175
#define NR_delete_module	176
#define NR_fsetxattr		190
#define NR_finit_module		313
#define NR_kexec_file_load	320
#define NR_setxattrat		463

#define PR_SET_NAME_		15
#define TS_COMPAT_		0x0002	/* x86 thread_info.status: 32-bit syscall active */
#define AT_EMPTY_PATH_		0x1000
#define NSFS_MAGIC_		0x6e736673
#define CAP_V1_			0x19980330	/* _LINUX_CAPABILITY_VERSION_1: one data word */
#define BPF_MAP_CREATE_		0
#define BPF_PROG_LOAD_		5
#define BPF_PROG_ATTACH_	8
#define BPF_LINK_CREATE_	28

/*
 * bpf() commands not reported: map element reads and writes, object
 * enumeration and info queries. Agents (vigil included) issue them
 * thousands of times a second and they neither load, attach nor take
 * hold of anything; the commands that do (PROG_LOAD, MAP_CREATE,
 * *_GET_FD_BY_ID, OBJ_GET, LINK_CREATE, ...) are still reported.
 */
#define BPF_CMDS_QUIET	((1ULL << 1) | (1ULL << 2) | (1ULL << 3) | (1ULL << 4) |	\
			 (1ULL << 11) | (1ULL << 12) | (1ULL << 15) | (1ULL << 16) |	\
			 (1ULL << 20) | (1ULL << 21) | (1ULL << 23) | (1ULL << 24) |	\
			 (1ULL << 25) | (1ULL << 26) | (1ULL << 27) | (1ULL << 31) |	\
			 (1ULL << 35) | (1ULL << 37))
#define BPF_OBJ_NAME_LEN_	16
#define PARAMS_MAX		1024	/* module parameters, kexec command line */

/*
 * Syscall number -> event type, for syscalls without a tracepoint here.
 * Filled by the loader (src/sensor/sensor.c) only for such syscalls.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} fallback_syscalls SEC(".maps");

/*
 * Syscall number of a syscalls:sys_exit_* record. Its field is an int
 * (__syscall_nr) although vmlinux's trace_event_raw_sys_exit, written for
 * raw_syscalls:sys_exit, declares a long: the upper half is garbage.
 */
static __always_inline long tp_nr(struct trace_event_raw_sys_exit *ctx)
{
	return (int)ctx->id;
}

/*
 * Start a vgl_syscall event of the given type for syscall nr with result
 * ret. Returns NULL for vigil itself or when no scratch slot is free (that
 * loss is counted by ev_begin); otherwise sc_end() must follow.
 */
static __always_inline struct vgl_syscall *sc_begin(struct ev *ev, __u16 type, long nr, long ret)
{
	struct vgl_syscall *sc;

	if (is_self() || !ev_begin(ev))
		return NULL;
	ev_init(ev, type, sizeof(*sc))->ret = ret;
	sc = ev_body(ev);
	sc->syscall = nr;
	return sc;
}

static __always_inline void sc_end(struct ev *ev)
{
	ev_submit(ev);
	ev_end(ev);
}

/* Credentials of the current task after the call, packed as documented:
 * arg[3] = real, arg[4] = effective, arg[5] = saved | fs << 32. */
static __always_inline void put_creds_after(struct vgl_syscall *sc, bool gid)
{
	struct task_struct *task = current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);

	if (gid) {
		sc->arg[3] = BPF_CORE_READ(cred, gid.val);
		sc->arg[4] = BPF_CORE_READ(cred, egid.val);
		sc->arg[5] = BPF_CORE_READ(cred, sgid.val) |
			     (__u64)BPF_CORE_READ(cred, fsgid.val) << 32;
	} else {
		sc->arg[3] = BPF_CORE_READ(cred, uid.val);
		sc->arg[4] = BPF_CORE_READ(cred, euid.val);
		sc->arg[5] = BPF_CORE_READ(cred, suid.val) |
			     (__u64)BPF_CORE_READ(cred, fsuid.val) << 32;
	}
}

/* setuid family: arg[0..nargs) = the ids asked for (u32; -1 = unchanged),
 * arg[3..5] = the credentials after the call. */
static __always_inline int setid_event(struct trace_event_raw_sys_exit *ctx, int nargs)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	struct ev ev;
	long nr = tp_nr(ctx);

	sc = sc_begin(&ev, VGL_EV_SETUID, nr, ctx->ret);
	if (!sc)
		return 0;
	for (int i = 0; i < 3; i++)
		if (i < nargs)
			sc->arg[i] = (__u32)sys_arg(regs, i);
	put_creds_after(sc, nr == NR_setgid || nr == NR_setregid || nr == NR_setresgid ||
			    nr == NR_setfsgid);
	sc_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setuid")
int vgl_sys_exit_setuid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 1);
}

SEC("tracepoint/syscalls/sys_exit_setgid")
int vgl_sys_exit_setgid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 1);
}

SEC("tracepoint/syscalls/sys_exit_setreuid")
int vgl_sys_exit_setreuid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 2);
}

SEC("tracepoint/syscalls/sys_exit_setregid")
int vgl_sys_exit_setregid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 2);
}

SEC("tracepoint/syscalls/sys_exit_setresuid")
int vgl_sys_exit_setresuid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 3);
}

SEC("tracepoint/syscalls/sys_exit_setresgid")
int vgl_sys_exit_setresgid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 3);
}

SEC("tracepoint/syscalls/sys_exit_setfsuid")
int vgl_sys_exit_setfsuid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 1);
}

SEC("tracepoint/syscalls/sys_exit_setfsgid")
int vgl_sys_exit_setfsgid(struct trace_event_raw_sys_exit *ctx)
{
	return setid_event(ctx, 1);
}

/*
 * capset(hdrp, datap): arg[0] = header version, arg[1] = target pid,
 * arg[2..4] = effective, permitted, inheritable asked for (data[0] in the
 * low 32 bits, data[1] in the high), arg[5] = effective set after the call.
 */
SEC("tracepoint/syscalls/sys_exit_capset")
int vgl_sys_exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	struct pt_regs *regs = current_regs();
	struct { __u32 version; __s32 pid; } hdr = {};
	__u32 d[6] = {};
	struct vgl_syscall *sc;
	const void *data;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_CAPSET, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	bpf_probe_read_user(&hdr, sizeof(hdr), (void *)sys_arg(regs, 0));
	data = (void *)sys_arg(regs, 1);
	bpf_probe_read_user(d, 3 * sizeof(__u32), data);
	if (hdr.version != CAP_V1_)
		bpf_probe_read_user(&d[3], 3 * sizeof(__u32), data + 3 * sizeof(__u32));
	sc->arg[0] = hdr.version;
	sc->arg[1] = (__u32)hdr.pid;
	sc->arg[2] = d[0] | (__u64)d[3] << 32;
	sc->arg[3] = d[1] | (__u64)d[4] << 32;
	sc->arg[4] = d[2] | (__u64)d[5] << 32;
	sc->arg[5] = BPF_CORE_READ(task, cred, cap_effective.val);
	sc_end(&ev);
	return 0;
}

/* ptrace(request, pid, addr, data): arg[0..3] as passed. */
SEC("tracepoint/syscalls/sys_exit_ptrace")
int vgl_sys_exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_PTRACE, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	for (int i = 0; i < 4; i++)
		sc->arg[i] = sys_arg(regs, i);
	sc_end(&ev);
	return 0;
}

/*
 * process_vm_writev(pid, lvec, liovcnt, rvec, riovcnt, flags): arg[0] =
 * pid, arg[1] = liovcnt, arg[2] = riovcnt, arg[3] = flags, arg[4] = bytes
 * written, arg[5] = base of the first remote iovec (where the write landed).
 */
SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int vgl_sys_exit_process_vm_writev(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	__u64 base = 0;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_PROCESS_VM_WRITEV, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	sc->arg[0] = (__u32)sys_arg(regs, 0);
	sc->arg[1] = sys_arg(regs, 2);
	sc->arg[2] = sys_arg(regs, 4);
	sc->arg[3] = sys_arg(regs, 5);
	sc->arg[4] = ctx->ret > 0 ? ctx->ret : 0;
	if (sc->arg[2] > 0)
		bpf_probe_read_user(&base, sizeof(base), (void *)sys_arg(regs, 3));
	sc->arg[5] = base;
	sc_end(&ev);
	return 0;
}

/*
 * init_module(umod, len, uargs), finit_module(fd, uargs, flags),
 * delete_module(name, flags). arg[i] = syscall argument i (integers only),
 * arg[5] = VGL_PATH_F_* of the file path. Strings: target (file path for
 * finit_module, module name for delete_module), parameters.
 * Shared by the tracepoint programs and the raw sys_exit fallback.
 */
static __always_inline int module_event(struct pt_regs *regs, long nr, long ret)
{
	struct task_struct *task = current_task();
	struct vgl_syscall *sc;
	__u8 pflags = 0;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_MODULE, nr, ret);
	if (!sc)
		return 0;
	if (nr == NR_finit_module) {
		int fd = sys_arg(regs, 0);

		sc->arg[0] = fd;
		sc->arg[2] = sys_arg(regs, 2);
		ev_put_file_path(&ev, fd_file(task, fd), &pflags);
		ev_put_ustr(&ev, (void *)sys_arg(regs, 1), PARAMS_MAX);
	} else if (nr == NR_delete_module) {
		sc->arg[1] = sys_arg(regs, 1);
		ev_put_ustr(&ev, (void *)sys_arg(regs, 0), VGL_COMM_LEN * 4);
		ev_put_empty(&ev);
	} else {	/* init_module */
		sc->arg[0] = sys_arg(regs, 0);
		sc->arg[1] = sys_arg(regs, 1);
		ev_put_empty(&ev);
		ev_put_ustr(&ev, (void *)sys_arg(regs, 2), PARAMS_MAX);
	}
	sc->arg[5] = pflags;
	sc_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_init_module")
int vgl_sys_exit_init_module(struct trace_event_raw_sys_exit *ctx)
{
	return module_event(current_regs(), tp_nr(ctx), ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_finit_module")
int vgl_sys_exit_finit_module(struct trace_event_raw_sys_exit *ctx)
{
	return module_event(current_regs(), tp_nr(ctx), ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_delete_module")
int vgl_sys_exit_delete_module(struct trace_event_raw_sys_exit *ctx)
{
	return module_event(current_regs(), tp_nr(ctx), ctx->ret);
}

/*
 * kexec_load(entry, nr_segments, segments, flags) and
 * kexec_file_load(kernel_fd, initrd_fd, cmdline_len, cmdline, flags):
 * arg[i] = syscall argument i (pointers left out), arg[5] = path flags.
 * Strings: kernel image path, command line (kexec_file_load only).
 */
static __always_inline int kexec_event(struct pt_regs *regs, long nr, long ret)
{
	struct task_struct *task = current_task();
	struct vgl_syscall *sc;
	__u8 pflags = 0;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_KEXEC_LOAD, nr, ret);
	if (!sc)
		return 0;
	if (nr == NR_kexec_file_load) {
		sc->arg[0] = (int)sys_arg(regs, 0);
		sc->arg[1] = (int)sys_arg(regs, 1);
		sc->arg[2] = sys_arg(regs, 2);
		sc->arg[4] = sys_arg(regs, 4);
		ev_put_file_path(&ev, fd_file(task, sc->arg[0]), &pflags);
		ev_put_ustr(&ev, (void *)sys_arg(regs, 3), PARAMS_MAX);
	} else {
		sc->arg[0] = sys_arg(regs, 0);
		sc->arg[1] = sys_arg(regs, 1);
		sc->arg[3] = sys_arg(regs, 3);
		ev_put_empty(&ev);
		ev_put_empty(&ev);
	}
	sc->arg[5] = pflags;
	sc_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_kexec_load")
int vgl_sys_exit_kexec_load(struct trace_event_raw_sys_exit *ctx)
{
	return kexec_event(current_regs(), tp_nr(ctx), ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_kexec_file_load")
int vgl_sys_exit_kexec_file_load(struct trace_event_raw_sys_exit *ctx)
{
	return kexec_event(current_regs(), tp_nr(ctx), ctx->ret);
}

/*
 * Syscalls whose tracepoint is missing on this kernel (see sensor.c). Runs
 * on every syscall while attached, so anything not routed here costs one
 * register read and one map lookup.
 */
SEC("raw_tp/sys_exit")
int BPF_PROG(vgl_raw_sys_exit_fallback, struct pt_regs *regs, long ret)
{
	__u32 nr = BPF_CORE_READ(regs, orig_ax);
	__u32 *type = bpf_map_lookup_elem(&fallback_syscalls, &nr);

	if (!type)
		return 0;
	/* an int 0x80 syscall numbers from the i386 table: 175 there is
	 * rt_sigprocmask, not init_module (syscall tracepoints skip those too) */
	if (bpf_core_field_exists(struct thread_info, status) &&
	    (BPF_CORE_READ(current_task(), thread_info.status) & TS_COMPAT_))
		return 0;
	switch (*type) {
	case VGL_EV_MODULE:
		return module_event(regs, nr, ret);
	case VGL_EV_KEXEC_LOAD:
		return kexec_event(regs, nr, ret);
	}
	return 0;
}

/* Read n bytes at off of the user bpf_attr when the caller passed that
 * much; leaves dst untouched otherwise. */
static __always_inline void read_attr(void *dst, __u32 n, const void *attr, __u64 size,
				      __u32 off)
{
	if (size >= off + n)
		bpf_probe_read_user(dst, n, attr + off);
}

/*
 * bpf(cmd, attr, size): arg[0] = cmd, arg[1] = prog_type (PROG_LOAD) or
 * map_type (MAP_CREATE), arg[2] = size, arg[3] = attach type (PROG_LOAD's
 * expected_attach_type, PROG_ATTACH, LINK_CREATE). String: prog or map name.
 * Commands in BPF_CMDS_QUIET are dropped here.
 */
SEC("tracepoint/syscalls/sys_exit_bpf")
int vgl_sys_exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	__u32 type = 0, attach = 0;
	const void *attr;
	struct ev ev;
	__u64 size;
	int cmd;

	cmd = sys_arg(regs, 0);
	if (cmd >= 0 && cmd < 64 && (BPF_CMDS_QUIET >> cmd) & 1) {
		count(VGL_CNT_FILTERED);
		return 0;
	}
	sc = sc_begin(&ev, VGL_EV_BPF, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	attr = (void *)sys_arg(regs, 1);
	size = sys_arg(regs, 2);
	sc->arg[0] = cmd;
	sc->arg[2] = size;
	switch (cmd) {
	case BPF_PROG_LOAD_:
		read_attr(&type, sizeof(type), attr, size, 0);
		read_attr(&attach, sizeof(attach), attr, size,
			  __builtin_offsetof(union bpf_attr, expected_attach_type));
		if (size >= __builtin_offsetof(union bpf_attr, prog_name) + BPF_OBJ_NAME_LEN_)
			ev_put_ustr(&ev, attr + __builtin_offsetof(union bpf_attr, prog_name),
				    BPF_OBJ_NAME_LEN_);
		else
			ev_put_empty(&ev);
		break;
	case BPF_MAP_CREATE_:
		read_attr(&type, sizeof(type), attr, size, 0);
		if (size >= __builtin_offsetof(union bpf_attr, map_name) + BPF_OBJ_NAME_LEN_)
			ev_put_ustr(&ev, attr + __builtin_offsetof(union bpf_attr, map_name),
				    BPF_OBJ_NAME_LEN_);
		else
			ev_put_empty(&ev);
		break;
	case BPF_PROG_ATTACH_:
	case BPF_LINK_CREATE_:
		/* both have the attach type as the third u32 */
		read_attr(&attach, sizeof(attach), attr, size, 8);
		ev_put_empty(&ev);
		break;
	default:
		ev_put_empty(&ev);
	}
	sc->arg[1] = type;
	sc->arg[3] = attach;
	sc_end(&ev);
	return 0;
}

/*
 * mount(source, target, fstype, flags, data): arg[3] = flags, arg[5] =
 * path flags of target. Strings: source, target (absolute), fstype.
 */
SEC("tracepoint/syscalls/sys_exit_mount")
int vgl_sys_exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	__u8 pflags = 0;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_MOUNT, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	sc->arg[3] = sys_arg(regs, 3);
	ev_put_ustr(&ev, (void *)sys_arg(regs, 0), VGL_PATH_MAX);
	ev_put_user_path(&ev, AT_FDCWD_, (void *)sys_arg(regs, 1), &pflags);
	ev_put_ustr(&ev, (void *)sys_arg(regs, 2), VGL_STR_MAX);
	sc->arg[5] = pflags;
	sc_end(&ev);
	return 0;
}

/* umount2(target, flags): arg[1] = flags, arg[5] = path flags. String:
 * target (absolute). */
SEC("tracepoint/syscalls/sys_exit_umount")
int vgl_sys_exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	__u8 pflags = 0;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_UMOUNT, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	sc->arg[1] = sys_arg(regs, 1);
	ev_put_user_path(&ev, AT_FDCWD_, (void *)sys_arg(regs, 0), &pflags);
	sc->arg[5] = pflags;
	sc_end(&ev);
	return 0;
}

/* unshare(flags): arg[0] = flags. */
SEC("tracepoint/syscalls/sys_exit_unshare")
int vgl_sys_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	struct vgl_syscall *sc;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_UNSHARE, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	sc->arg[0] = sys_arg(current_regs(), 0);
	sc_end(&ev);
	return 0;
}

/*
 * setns(fd, nstype): arg[0] = fd, arg[1] = nstype, arg[2] = namespace
 * inode when fd is a namespace file (else 0). String: the namespace type
 * ("net", "mnt", ...) for a namespace file; the fd's path otherwise (pidfd).
 * A namespace file's own path is useless ("/" on the internal nsfs mount);
 * type and inode are what /proc/PID/ns/X links show.
 */
SEC("tracepoint/syscalls/sys_exit_setns")
int vgl_sys_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	struct file *f;
	__u8 pflags = 0;
	struct ev ev;
	int fd;

	sc = sc_begin(&ev, VGL_EV_SETNS, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	fd = sys_arg(regs, 0);
	sc->arg[0] = fd;
	sc->arg[1] = (__u32)sys_arg(regs, 1);
	f = fd_file(task, fd);
	if (f && BPF_CORE_READ(f, f_inode, i_sb, s_magic) == NSFS_MAGIC_) {
		struct ns_common *ns = BPF_CORE_READ(f, f_inode, i_private);

		sc->arg[2] = BPF_CORE_READ(ns, inum);
		ev_put_kstr(&ev, BPF_CORE_READ(ns, ops, name), VGL_COMM_LEN);
	} else {
		ev_put_file_path(&ev, f, &pflags);
	}
	sc_end(&ev);
	return 0;
}

/*
 * prctl: only PR_SET_NAME (a process renaming itself to hide), filtered
 * here so the other options cost no event. arg[0] = option. String: the
 * new name as passed.
 */
SEC("tracepoint/syscalls/sys_exit_prctl")
int vgl_sys_exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct vgl_syscall *sc;
	struct ev ev;

	if (sys_arg(regs, 0) != PR_SET_NAME_) {
		count(VGL_CNT_FILTERED);
		return 0;
	}
	sc = sc_begin(&ev, VGL_EV_PRCTL, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	sc->arg[0] = PR_SET_NAME_;
	ev_put_ustr(&ev, (void *)sys_arg(regs, 1), VGL_COMM_LEN);
	sc_end(&ev);
	return 0;
}

/* True when the user string at uname is exactly "security.capability",
 * the attribute that grants file capabilities. */
static __always_inline bool is_cap_xattr(const char *uname)
{
	static const char want[] = "security.capability";
	char buf[sizeof(want) + 4] = {};

	if (bpf_probe_read_user_str(buf, sizeof(buf), uname) != sizeof(want))
		return false;
	for (__u32 i = 0; i < sizeof(want) - 1; i++)
		if (buf[i] != want[i])
			return false;
	return true;
}

/*
 * setxattr family, security.capability only. arg[0] = value size, arg[1] =
 * flags, arg[2] = magic_etc of the vfs_cap_data value (version and the
 * effective bit), arg[3] = permitted, arg[4] = inheritable (data[0] low,
 * data[1] high), arg[5] = path flags. Strings: path, attribute name.
 */
static __always_inline int setxattr_event(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = current_task();
	struct pt_regs *regs = current_regs();
	long nr = tp_nr(ctx);
	struct xattr_args xa = {};
	const char *uname;
	struct vgl_syscall *sc;
	__u32 cap[5] = {};
	__u8 pflags = 0;
	struct ev ev;

	if (nr == NR_setxattrat) {
		uname = (void *)sys_arg(regs, 3);
		if (sys_arg(regs, 5) >= sizeof(xa))
			bpf_probe_read_user(&xa, sizeof(xa), (void *)sys_arg(regs, 4));
	} else {
		uname = (void *)sys_arg(regs, 1);
		xa.value = sys_arg(regs, 2);
		xa.size = sys_arg(regs, 3);
		xa.flags = sys_arg(regs, 4);
	}
	if (!is_cap_xattr(uname)) {
		count(VGL_CNT_FILTERED);
		return 0;
	}
	sc = sc_begin(&ev, VGL_EV_SETXATTR, nr, ctx->ret);
	if (!sc)
		return 0;

	if (nr == NR_fsetxattr) {
		ev_put_file_path(&ev, fd_file(task, sys_arg(regs, 0)), &pflags);
	} else if (nr == NR_setxattrat) {
		int dfd = sys_arg(regs, 0);
		const char *upath = (void *)sys_arg(regs, 1);
		char first = 0;

		bpf_probe_read_user(&first, 1, upath);
		if (!first && (sys_arg(regs, 2) & AT_EMPTY_PATH_))
			ev_put_file_path(&ev, fd_file(task, dfd), &pflags);
		else
			ev_put_user_path(&ev, dfd, upath, &pflags);
	} else {
		ev_put_user_path(&ev, AT_FDCWD_, (void *)sys_arg(regs, 0), &pflags);
	}
	ev_put_ustr(&ev, uname, VGL_STR_MAX);

	/* vfs_cap_data: magic_etc, then {permitted, inheritable} x 2 (x 1 for v1) */
	if (xa.size >= sizeof(cap))
		bpf_probe_read_user(cap, sizeof(cap), (void *)xa.value);
	else if (xa.size >= 3 * sizeof(__u32))
		bpf_probe_read_user(cap, 3 * sizeof(__u32), (void *)xa.value);
	sc->arg[0] = xa.size;
	sc->arg[1] = xa.flags;
	sc->arg[2] = cap[0];
	sc->arg[3] = cap[1] | (__u64)cap[3] << 32;
	sc->arg[4] = cap[2] | (__u64)cap[4] << 32;
	sc->arg[5] = pflags;
	sc_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setxattr")
int vgl_sys_exit_setxattr(struct trace_event_raw_sys_exit *ctx)
{
	return setxattr_event(ctx);
}

SEC("tracepoint/syscalls/sys_exit_lsetxattr")
int vgl_sys_exit_lsetxattr(struct trace_event_raw_sys_exit *ctx)
{
	return setxattr_event(ctx);
}

SEC("tracepoint/syscalls/sys_exit_fsetxattr")
int vgl_sys_exit_fsetxattr(struct trace_event_raw_sys_exit *ctx)
{
	return setxattr_event(ctx);
}

SEC("tracepoint/syscalls/sys_exit_setxattrat")
int vgl_sys_exit_setxattrat(struct trace_event_raw_sys_exit *ctx)
{
	return setxattr_event(ctx);
}

/*
 * io_uring_setup(entries, params): arg[0] = entries, arg[1] = setup flags,
 * arg[2] = the ring fd (ret, or -1), arg[3] = sq_entries, arg[4] =
 * cq_entries, arg[5] = features (the last three filled by the kernel).
 */
SEC("tracepoint/syscalls/sys_exit_io_uring_setup")
int vgl_sys_exit_io_uring_setup(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct io_uring_params p = {};
	struct vgl_syscall *sc;
	struct ev ev;

	sc = sc_begin(&ev, VGL_EV_IO_URING_SETUP, tp_nr(ctx), ctx->ret);
	if (!sc)
		return 0;
	bpf_probe_read_user(&p, __builtin_offsetof(struct io_uring_params, wq_fd),
			    (void *)sys_arg(regs, 1));
	sc->arg[0] = (__u32)sys_arg(regs, 0);
	sc->arg[1] = p.flags;
	sc->arg[2] = ctx->ret >= 0 ? ctx->ret : -1;
	sc->arg[3] = p.sq_entries;
	sc->arg[4] = p.cq_entries;
	sc->arg[5] = p.features;
	sc_end(&ev);
	return 0;
}
