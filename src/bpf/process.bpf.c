// SPDX-License-Identifier: GPL-2.0
/*
 * process.bpf.c - process lifecycle: exec, fork, exit, failed exec.
 *
 * Successful execs, forks and exits come from sched_* tracepoints, which
 * cost nothing for unrelated syscalls. Failed execs only exist at the
 * syscall exit, so those two hooks are attached only when asked for.
 */
#include "common.bpf.h"
#include "path.bpf.h"

#define TMPFS_MAGIC_		0x01021994
#define OVERLAYFS_MAGIC_	0x794c7630
#define S_IFMT_			00170000
#define S_IFSOCK_		0140000
#define S_IFREG_		0100000
#define S_IFDIR_		0040000
#define S_IFCHR_		0020000
#define S_IFIFO_		0010000
#define S_ISUID_		0004000
#define S_ISGID_		0002000
#define SIGNAL_GROUP_EXIT_	0x00000004

char LICENSE[] SEC("license") = "GPL";

/* True for the unattached shmem file behind memfd_create(): its dentry is
 * its own parent and its name starts with "memfd:". */
static __always_inline bool file_is_memfd(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	char name[6] = {};

	if (BPF_CORE_READ(d, d_parent) != d)
		return false;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

static __always_inline bool inode_on_upper_layer(struct inode *inode)
{
	if (!bpf_core_type_exists(struct ovl_inode))
		return false;
	if (BPF_CORE_READ(inode, i_sb, s_magic) != OVERLAYFS_MAGIC_)
		return false;
	struct ovl_inode *oi = (void *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode);

	return BPF_CORE_READ(oi, __upperdentry) != NULL;
}

/*
 * The moment after which a write makes a file "new": the start of the
 * container (init of the task's pid namespace) or, on the host, of vigil.
 */
static __always_inline __u64 written_reference_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	if (level == 0)
		return agent_start_real_ns;
	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	struct task_struct *reaper = BPF_CORE_READ(up.ns, child_reaper);

	return BPF_CORE_READ(reaper, start_boottime) + boot_to_real_ns;
}

static __always_inline __u8 fd_kind(struct task_struct *task, int fd)
{
	struct file *f = fd_file(task, fd);
	__u32 mode, major;

	if (!f)
		return VGL_FD_NONE;
	mode = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT_;
	switch (mode) {
	case S_IFREG_: return VGL_FD_FILE;
	case S_IFDIR_: return VGL_FD_DIR;
	case S_IFIFO_: return VGL_FD_PIPE;
	case S_IFSOCK_: return VGL_FD_SOCKET;
	case S_IFCHR_:
		major = BPF_CORE_READ(f, f_inode, i_rdev) >> 20;
		/* 4: ttyN/ttySN, 5: /dev/tty, console, ptmx; 136-143: pts */
		if (major == 4 || major == 5 || (major >= 136 && major <= 143))
			return VGL_FD_TTY;
		return VGL_FD_CHAR;
	}
	return VGL_FD_OTHER;
}

static __always_inline bool starts_with(const __u8 *s, __u32 len, const char *prefix, __u32 plen)
{
	if (len < plen)
		return false;
	for (__u32 i = 0; i < plen; i++)
		if (s[i] != prefix[i])
			return false;
	return true;
}

/* Flag paths under the world-writable scratch directories attackers drop to. */
static __always_inline bool path_in_tmpdir(const __u8 *s, __u32 len)
{
	return starts_with(s, len, "/tmp/", 5) || starts_with(s, len, "/dev/shm/", 9) ||
	       starts_with(s, len, "/var/tmp/", 9) || starts_with(s, len, "/run/", 5);
}

static __always_inline void exec_inode_facts(struct ev *ev, struct vgl_exec *x,
					     struct task_struct *task, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u64 ref = written_reference_ns(task);
	struct vgl_inode_key key = {};
	struct vgl_inode_write *w;

	x->ino = BPF_CORE_READ(inode, i_ino);
	x->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	x->mode = BPF_CORE_READ(inode, i_mode);
	x->file_uid = BPF_CORE_READ(inode, i_uid.val);
	x->file_gid = BPF_CORE_READ(inode, i_gid.val);
	x->ctime_ns = inode_ctime_ns(inode);

	if (file_is_memfd(file))
		x->flags |= VGL_EXEC_MEMFD;
	if (BPF_CORE_READ(inode, __i_nlink) == 0)
		x->flags |= VGL_EXEC_DELETED;
	if (BPF_CORE_READ(inode, i_sb, s_magic) == TMPFS_MAGIC_)
		x->flags |= VGL_EXEC_TMPFS;
	if (inode_on_upper_layer(inode))
		x->flags |= VGL_EXEC_UPPER_LAYER;
	if (x->mode & (S_ISUID_ | S_ISGID_))
		x->flags |= VGL_EXEC_SETUID;
	if (x->ctime_ns > ref)
		x->flags |= VGL_EXEC_WRITTEN;

	key.ino = x->ino;
	key.dev = x->dev;
	w = bpf_map_lookup_elem(&written_inodes, &key);
	if (w && w->when_ns > ref)
		x->flags |= VGL_EXEC_WRITTEN | VGL_EXEC_WRITTEN_MAP;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vgl_sched_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vgl_exec *x;
	struct file *file;
	struct ev ev;
	__u8 pflags = 0;
	unsigned long arg_start, arg_end;
	const char *filename, *interp;

	if (is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_EXEC, sizeof(*x));
	x = ev_body(&ev);
	file = BPF_CORE_READ(bprm, file);
	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	x->argc = BPF_CORE_READ(bprm, argc);

	exec_inode_facts(&ev, x, task, file);
	for (int i = 0; i < 3; i++)
		x->stdio[i] = fd_kind(task, i);

	/* path: the executed file; for a script the kernel has already swapped
	 * bprm->file for the interpreter, so the script is known by name only. */
	__u32 path_at = ev.off;
	if (interp != filename) {
		x->flags |= VGL_EXEC_SCRIPT;
		ev_put_named_path(&ev, AT_FDCWD_, filename, false, &pflags);
	} else {
		ev_put_file_path(&ev, file, &pflags);
	}
	__u16 plen = *(__u16 *)(ev.buf + EV_IDX(path_at));
	if (path_in_tmpdir(ev.buf + EV_IDX(path_at) + 2, plen))
		x->flags |= VGL_EXEC_TMPDIR;

	ev_put_kstr(&ev, filename, VGL_STR_MAX * 4);
	if (x->flags & VGL_EXEC_SCRIPT)
		ev_put_file_path(&ev, file, &pflags);
	else
		ev_put_empty(&ev);

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	if (arg_end - arg_start > VGL_ARGS_MAX)
		x->flags |= VGL_EXEC_ARGS_TRUNC;
	ev_put_ubytes(&ev, (void *)arg_start,
		      arg_end - arg_start > VGL_ARGS_MAX ? VGL_ARGS_MAX : arg_end - arg_start);

	ev_put_path(&ev, &BPF_CORE_READ(task, fs)->pwd, &pflags);
	ev_put_empty(&ev);	/* LD_PRELOAD */
	if (pflags & VGL_PATH_F_TRUNC)
		x->flags |= VGL_EXEC_PATH_TRUNC;
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vgl_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vgl_fork *f;
	struct ev ev;

	/* threads share the process; only new thread groups are processes */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_FORK, sizeof(*f));
	f = ev_body(&ev);
	f->child_pid = BPF_CORE_READ(child, tgid);
	f->child_start_ns = BPF_CORE_READ(child, start_boottime);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vgl_sched_exit, struct task_struct *task)
{
	struct vgl_exit *x;
	struct ev ev;
	int status;

	/* one event per process: when its last thread leaves */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_EXIT, sizeof(*x));
	x = ev_body(&ev);
	if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT_)
		status = BPF_CORE_READ(task, signal, group_exit_code);
	else
		status = BPF_CORE_READ(task, exit_code);
	x->signal = status & 0x7f;
	x->code = x->signal ? 0 : (status >> 8) & 0xff;
	x->core_dumped = (status & 0x80) != 0;
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

/* Failed execve/execveat: the new image never ran, so only the syscall
 * knows. Successful ones are reported by vgl_sched_exec. */
static __always_inline int exec_failed(struct trace_event_raw_sys_exit *ctx, int dfd,
				       const char *upath)
{
	struct vgl_exec *x;
	struct ev ev;
	__u8 pflags = 0;

	if (ctx->ret >= 0 || is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_EXEC, sizeof(*x))->ret = ctx->ret;
	x = ev_body(&ev);
	ev_put_user_path(&ev, dfd, upath, &pflags);
	ev_put_ustr(&ev, upath, VGL_STR_MAX * 4);
	ev_put_empty(&ev);	/* interpreter */
	ev_put_empty(&ev);	/* args: an argv pointer walk is not worth it for a failure */
	ev_put_path(&ev, &BPF_CORE_READ(current_task(), fs)->pwd, &pflags);
	ev_put_empty(&ev);	/* LD_PRELOAD */
	if (pflags & VGL_PATH_F_TRUNC)
		x->flags |= VGL_EXEC_PATH_TRUNC;
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int vgl_sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return exec_failed(ctx, AT_FDCWD_, (const char *)sys_arg(regs, 0));
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int vgl_sys_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return exec_failed(ctx, (int)sys_arg(regs, 0), (const char *)sys_arg(regs, 1));
}
