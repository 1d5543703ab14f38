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
#include "enforce.bpf.h"

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

/* Kind (enum vgl_fd_kind) and inode number of an open file. The inode
 * links the two ends of a pipe or socket pair: `curl | sh` shows as the
 * writer's stdout inode equal to the shell's stdin inode. */
static __always_inline __u8 fd_kind(struct file *f, __u64 *ino)
{
	struct inode *inode;
	__u32 mode, major;

	*ino = 0;
	if (!f)
		return VGL_FD_NONE;
	inode = BPF_CORE_READ(f, f_inode);
	*ino = BPF_CORE_READ(inode, i_ino);
	mode = BPF_CORE_READ(inode, i_mode) & S_IFMT_;
	switch (mode) {
	case S_IFREG_: return VGL_FD_FILE;
	case S_IFDIR_: return VGL_FD_DIR;
	case S_IFIFO_: return VGL_FD_PIPE;
	case S_IFSOCK_: return VGL_FD_SOCKET;
	case S_IFCHR_:
		major = BPF_CORE_READ(inode, i_rdev) >> 20;
		/* 4: ttyN/ttySN, 5: /dev/tty, console, ptmx; 136-143: pts */
		if (major == 4 || major == 5 || (major >= 136 && major <= 143))
			return VGL_FD_TTY;
		return VGL_FD_CHAR;
	}
	return VGL_FD_OTHER;
}

/*
 * fds 0, 1, 2 of the task: the three file pointers in one read, the table
 * reached with plain loads (task is a tracepoint BTF argument). Per fd,
 * fd_file() would cost five probe reads; each is a helper call.
 */
static __always_inline void exec_stdio(struct vgl_exec *x, struct task_struct *task)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *f[3] = {};

	/* the smallest table holds BITS_PER_LONG fds; the check is for the verifier */
	if (fdt && fdt->max_fds >= 3)
		bpf_probe_read_kernel(f, sizeof(f), fdt->fd);
	for (int i = 0; i < 3; i++)
		x->stdio[i] = fd_kind(f[i], &x->stdio_ino[i]);
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

/* ---- LD_PRELOAD in the new environment ----
 *
 * At sched_process_exec the new image has not run one instruction yet and
 * nothing else shares its memory: the stack holds exactly what the ELF
 * loader wrote (create_elf_tables(): argc, argv[], NULL, envp[], NULL at
 * bprm->p, the strings higher up, ending at mm->env_end). envp[] says where
 * each variable starts, so no byte-by-byte search for the NULs between
 * them; and envp[] and the strings usually fit in one read, so a typical
 * environment costs one helper call, not one per variable.
 */
#define ENV_VARS_MAX		1024	/* variables checked, from the first */
#define ENV_CHUNK		64	/* variables per call of env_scan_chunk() */
#define ENV_BUF			16384	/* bytes of user memory held at once */
#define ENV_PTRS		(ENV_VARS_MAX * 8)	/* room for envp[] */
#define ENV_WIN			(ENV_BUF - ENV_PTRS)	/* string window when apart */
#define ENV_PRELOAD_MAX		4	/* LD_PRELOAD definitions reported */
#define ENV_PRELOAD_STR		(VGL_STR_MAX * 4)	/* bytes of the reported value */
#define LD_PRELOAD_LEN		11	/* "LD_PRELOAD=" */
#define PAGE_SHIFT_		12
#define LD_PRELO_LE		0x4f4c4552505f444cULL	/* "LD_PRELO", little-endian */
#define OAD_EQ_LE		0x3d44414fU		/* "OAD=" (bytes 7..10) */

/*
 * buf holds either the whole of [envp[], env_end) (win_off 0), or envp[]
 * in its first ENV_PTRS bytes and a window on the strings after them
 * (win_off ENV_PTRS) that slides forward as the scan goes.
 */
struct env_buf {
	__u64 prev;			/* last pointer checked: they must ascend */
	__u64 win_start;		/* user address held at buf[win_off] */
	__u64 win_end;			/* end of what buf holds */
	__u32 win_off;
	__u32 nr_found;
	__u64 found[ENV_PRELOAD_MAX];	/* user addresses of the values */
	__u8 buf[ENV_BUF + 16];		/* slack for the 8-byte compares */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct env_buf);
} env_bufs SEC(".maps");

/*
 * Check variables [first, first + ENV_CHUNK) (and below nr) for
 * "LD_PRELOAD=". The addresses of the first ENV_PRELOAD_MAX values go to
 * eb->found, their count to eb->nr_found. Returns 0, or -1 when envp[] is
 * not what the loader writes (pointers ascending inside [eb->prev,
 * env_end)). Global, so it is verified once; a chunk keeps the branches
 * the verifier must remember per call within its limits, and the state
 * between chunks lives in eb.
 */
__noinline int env_scan_chunk(__u32 slot, __u32 first, __u32 nr, __u64 env_end)
{
	struct env_buf *eb = bpf_map_lookup_elem(&env_bufs, &slot);
	__u64 prev, win_start, win_end, p, len;
	__u32 win_off, off;
	int ret = 0;

	if (!eb)
		return -1;
	/* in registers for the chunk: the loop runs once per variable */
	prev = eb->prev;
	win_start = eb->win_start;
	win_end = eb->win_end;
	win_off = eb->win_off;
	for (__u32 j = 0; j < ENV_CHUNK; j++) {
		__u32 i = first + j;

		if (i >= nr)
			break;
		p = *(__u64 *)(eb->buf + ((i * 8) & (ENV_PTRS - 1)));
		if (p < prev || p >= env_end) {
			ret = -1;
			break;
		}
		prev = p;
		/* "LD_PRELOAD=" and its NUL must fit before env_end */
		if (p + LD_PRELOAD_LEN >= env_end)
			continue;
		if (p + LD_PRELOAD_LEN > win_end) {	/* only when apart */
			len = env_end - p;
			if (len > ENV_WIN)
				len = ENV_WIN;
			if (bpf_probe_read_user(eb->buf + ENV_PTRS, len, (void *)p)) {
				ret = -1;
				break;
			}
			win_start = p;
			win_end = p + len;
			win_off = ENV_PTRS;
		}
		off = (win_off + (p - win_start)) & (ENV_BUF - 1);
		if (*(__u64 *)(eb->buf + off) != LD_PRELO_LE ||
		    *(__u32 *)(eb->buf + off + 7) != OAD_EQ_LE)
			continue;
		if (eb->nr_found < ENV_PRELOAD_MAX)
			eb->found[eb->nr_found & (ENV_PRELOAD_MAX - 1)] = p + LD_PRELOAD_LEN;
		eb->nr_found += 1;
	}
	eb->prev = prev;
	eb->win_start = win_start;
	eb->win_end = win_end;
	eb->win_off = win_off;
	return ret;
}

/*
 * Read envp[] (nr <= ENV_VARS_MAX pointers at envp) and, when one read can
 * take both, the strings up to env_end. Between the two the loader leaves
 * a random gap of up to 8 KiB (arch_align_stack()) whose pages may never
 * have been touched, and a read across a missing page fails whole: so one
 * read only when no page lies between envp's and env_start's. Returns 0,
 * or -1 when the memory cannot be read or envp[0] is not env_start.
 */
static __always_inline int env_load(struct env_buf *eb, __u64 envp, __u32 nr, __u64 env_start,
				    __u64 env_end)
{
	__u64 size = env_end - envp;

	eb->win_start = 0;
	eb->win_end = 0;
	eb->win_off = ENV_PTRS;
	if (envp < env_start && env_start < env_end && size <= ENV_BUF &&
	    (env_start >> PAGE_SHIFT_) - (envp >> PAGE_SHIFT_) <= 1) {
		barrier_var(size);	/* keep the check on the register passed */
		if (size > ENV_BUF)
			return -1;
		if (bpf_probe_read_user(eb->buf, size, (void *)envp))
			return -1;
		eb->win_start = envp;
		eb->win_end = env_end;
		eb->win_off = 0;
	} else {
		size = (__u64)nr * 8;
		barrier_var(size);	/* else clang drops the check below as never true */
		if (size > ENV_PTRS)
			size = ENV_PTRS;
		if (bpf_probe_read_user(eb->buf, size, (void *)envp))
			return -1;
	}
	return *(__u64 *)eb->buf == env_start ? 0 : -1;
}

/* Scan the first nr (<= ENV_VARS_MAX) variables. Returns the number of
 * LD_PRELOAD definitions, or -1. */
static __always_inline int env_find_preload(struct env_buf *eb, __u32 slot, __u32 nr,
					    __u64 env_start, __u64 env_end)
{
	eb->prev = env_start;
	eb->nr_found = 0;
	for (__u32 c = 0; c < ENV_VARS_MAX / ENV_CHUNK; c++) {
		if (c * ENV_CHUNK >= nr)
			break;
		if (env_scan_chunk(slot, c * ENV_CHUNK, nr, env_end))
			return -1;
	}
	return eb->nr_found;
}

/* Append the user string at src to the open string at ev->off, which
 * already holds at bytes, keeping the string within ENV_PRELOAD_STR.
 * Returns the new length. */
static __always_inline __u32 ev_append_ustr(struct ev *ev, __u32 at, const void *src)
{
	__u32 room = ev_room(ev, ENV_PRELOAD_STR);
	__u32 off = EV_IDX(ev->off) + 2;
	long n;

	if (room <= at + 1)
		return at;
	room -= at;
	at &= ENV_PRELOAD_STR - 1;
	barrier_var(room);
	room &= 2 * ENV_PRELOAD_STR - 1;	/* no-op: shows the verifier room <= 1024 */
	n = bpf_probe_read_user_str(ev->buf + off + at, room, src);
	return n > 0 ? at + n - 1 : at;
}

/*
 * The LD_PRELOAD string of exec: the value of the environment's
 * LD_PRELOAD, or empty. Defined more than once (glibc's loader uses the
 * last definition, musl's the first), the values are joined with ':', the
 * loader's own list separator, so no definition can hide behind another.
 */
static __always_inline void exec_ld_preload(struct ev *ev, struct vgl_exec *x,
					    struct task_struct *task, struct linux_binprm *bprm)
{
	/* plain loads: task and bprm are tracepoint BTF arguments */
	struct env_buf *eb = bpf_map_lookup_elem(&env_bufs, &ev->slot);
	struct mm_struct *mm = task->mm;
	__u64 env_start = mm->env_start;
	__u64 env_end = mm->env_end;
	__u64 envp = bprm->p + 8 * ((__u64)bprm->argc + 2);
	__u32 nr = bprm->envc;
	__u32 at = 0;
	int found;

	if (!eb || nr == 0) {
		ev_put_empty(ev);
		return;
	}
	if (nr > ENV_VARS_MAX)
		nr = ENV_VARS_MAX;
	found = -1;
	if (env_load(eb, envp, nr, env_start, env_end) == 0)
		found = env_find_preload(eb, ev->slot, nr, env_start, env_end);
	if (found <= 0) {
		ev_put_empty(ev);
		return;
	}
	x->flags |= VGL_EXEC_LD_PRELOAD;
	for (int k = 0; k < ENV_PRELOAD_MAX && k < found; k++) {
		if (k > 0) {
			if (ev_room(ev, ENV_PRELOAD_STR) <= at + 1)
				break;
			*ev_at(ev, EV_IDX(ev->off) + 2 + (at & (ENV_PRELOAD_STR - 1))) = ':';
			at += 1;
		}
		at = ev_append_ustr(ev, at, (void *)eb->found[k]);
	}
	ev_commit_str(ev, at);
}

/* See container_cgroups: the first exec in a cgroup from a child pid
 * namespace marks it as a container's. */
static __always_inline void note_container_cgroup(const struct vgl_hdr *h)
{
	__u64 id = h->cgroup_id;
	__u8 one = 1;

	if ((h->hdr_flags & VGL_HF_IN_CHILD_PIDNS) && !bpf_map_lookup_elem(&container_cgroups, &id))
		bpf_map_update_elem(&container_cgroups, &id, &one, BPF_ANY);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vgl_sched_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vgl_exec *x;
	struct file *file;
	struct ev ev;
	__u8 pflags = 0, cflags = 0;
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
	exec_stdio(x, task);

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

	ev_put_path(&ev, &BPF_CORE_READ(task, fs)->pwd, &cflags);
	exec_ld_preload(&ev, x, task, bprm);
	if ((pflags | cflags) & VGL_PATH_F_TRUNC)
		x->flags |= VGL_EXEC_PATH_TRUNC;
	/* the executed file's (or script's) walk only, not the cwd's */
	if (pflags & VGL_PATH_F_OUTSIDE_ROOT)
		x->flags |= VGL_EXEC_OUTSIDE_ROOT;
	/* after the path walks: branches taken before them multiply the
	 * states the verifier explores in their loops */
	exec_protection_facts(x, task);
	note_container_cgroup(ev_hdr(&ev));
	vgl_enforce_exec(ev.slot, path_at);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vgl_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vgl_fork *f;
	struct ev ev;

	/* per task, threads included: any of them may call exec */
	image_protected_inherit(parent, child);
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
	__u8 pflags = 0, cflags = 0;

	if (ctx->ret >= 0 || is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_EXEC, sizeof(*x))->ret = ctx->ret;
	x = ev_body(&ev);
	ev_put_user_path(&ev, dfd, upath, &pflags);
	ev_put_ustr(&ev, upath, VGL_STR_MAX * 4);
	ev_put_empty(&ev);	/* interpreter */
	ev_put_empty(&ev);	/* args: an argv pointer walk is not worth it for a failure */
	ev_put_path(&ev, &BPF_CORE_READ(current_task(), fs)->pwd, &cflags);
	ev_put_empty(&ev);	/* LD_PRELOAD: the environment was never copied */
	if ((pflags | cflags) & VGL_PATH_F_TRUNC)
		x->flags |= VGL_EXEC_PATH_TRUNC;
	if (pflags & VGL_PATH_F_OUTSIDE_ROOT)
		x->flags |= VGL_EXEC_OUTSIDE_ROOT;
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
