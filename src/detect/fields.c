// SPDX-License-Identifier: GPL-2.0
/* fields.c - see fields.h. Getters read the event view and the process
 * table; none allocates or makes a system call. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "detect/fields.h"
#include "enrich/exehash.h"
#include "enrich/proctable.h"
#include "scan/scan.h"

#define EV(t)		EVENT_BIT(VGL_EV_##t)
#define FILE_EVENTS	(EV(OPEN) | EV(UNLINK) | EV(RENAME) | EV(LINK) | EV(SYMLINK) | \
			 EV(CHMOD) | EV(CHOWN) | EV(TRUNCATE) | EV(UTIMES))
#define NET_EVENTS	(EV(SOCKET) | EV(CONNECT) | EV(ACCEPT) | EV(BIND) | EV(LISTEN))
#define PRIV_EVENTS	(EV(SETUID) | EV(CAPSET) | EV(PTRACE) | EV(PROCESS_VM_WRITEV) | \
			 EV(MODULE) | EV(BPF) | EV(MOUNT) | EV(UMOUNT) | EV(UNSHARE) | \
			 EV(SETNS) | EV(KEXEC_LOAD) | EV(PRCTL) | EV(SETXATTR) | \
			 EV(IO_URING_SETUP))

static const struct vgl_hdr *hdr(const struct field_ctx *c)
{
	return c->e->v.hdr;
}

static bool is_type(const struct field_ctx *c, unsigned int t)
{
	return hdr(c)->type == t;
}

static int set_str(struct fval *o, const char *s, size_t len)
{
	o->type = FT_STR;
	o->s = s;
	o->len = len;
	return 0;
}

static int set_cstr(struct fval *o, const char *s)
{
	return set_str(o, s ? s : "", s ? strlen(s) : 0);
}

static int set_vstr(struct fval *o, const struct vgl_str *s)
{
	return set_str(o, s->ptr, s->len);
}

/* Format into o->buf and point the value at it. */
static int set_fmt(struct fval *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_fmt(struct fval *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf, sizeof(o->buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(o->buf))
		n = sizeof(o->buf) - 1;
	return set_str(o, o->buf, n);
}

static int set_int(struct fval *o, int64_t v)
{
	o->type = FT_INT;
	o->i = v;
	return 0;
}

static int set_bool(struct fval *o, bool v)
{
	o->type = FT_BOOL;
	o->i = v;
	return 0;
}

/* ---- evt.* ---- */

static int get_evt_type(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_cstr(o, event_info(hdr(c)->type)->name);
}

static int get_evt_category(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_cstr(o, event_info(hdr(c)->type)->category);
}

static int get_evt_res(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->ret);
}

static int get_evt_failed(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_bool(o, hdr(c)->ret < 0);
}

static int get_evt_error(const struct field_ctx *c, int idx, struct fval *o)
{
	int32_t ret = hdr(c)->ret;

	return set_cstr(o, ret < 0 ? format_errno_name(ret) ?: "" : "");
}

static int get_evt_syscall(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct event_view *v = &c->e->v;
	uint16_t nr;

	if ((EVENT_BIT(hdr(c)->type) & FILE_EVENTS))
		return set_cstr(o, file_syscall_name(EV_BODY(v, vgl_file)->syscall));
	if ((EVENT_BIT(hdr(c)->type) & PRIV_EVENTS)) {
		nr = EV_BODY(v, vgl_syscall)->syscall;
		return set_cstr(o, priv_syscall_name(nr) ?: event_info(hdr(c)->type)->name);
	}
	return set_cstr(o, event_info(hdr(c)->type)->name);
}

/* ---- proc.* ---- */

/* The process (idx 0) or its idx-th ancestor; NULL when unknown. */
static const struct proc_entry *proc_at(const struct field_ctx *c, int idx)
{
	if (idx == 0)
		return c->e->proc;
	if (idx > c->e->nr_anc)
		return NULL;
	return c->e->anc[idx - 1];
}

static int get_proc_pid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->pid);
}

static int get_proc_tid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->tid);
}

static int get_proc_ppid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->ppid);
}

static int get_proc_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_str(o, hdr(c)->comm, strnlen(hdr(c)->comm, sizeof(hdr(c)->comm)));
}

static int get_proc_exe(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);

	return p ? set_cstr(o, p->exe) : -1;
}

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static int get_proc_exe_name(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);

	return p ? set_cstr(o, basename_of(p->exe)) : -1;
}

/* argv without argv[0], as Falco's proc.args */
static const char *args_only(const char *cmdline)
{
	const char *sp = strchr(cmdline, ' ');

	return sp ? sp + 1 : "";
}

static int get_proc_args(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);

	return p ? set_cstr(o, args_only(p->args)) : -1;
}

/*
 * The command name is not the executable's name: comm is the first 15
 * bytes of the file name unless the process renamed itself (prctl, or an
 * argv[0] trick through a symlink), which masquerading malware does.
 */
static int get_proc_name_mismatch(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);
	const char *base;
	size_t n;

	if (!p || !p->exe[0])
		return -1;
	base = basename_of(p->exe);
	n = strnlen(hdr(c)->comm, sizeof(hdr(c)->comm));
	if (n == VGL_COMM_LEN - 1)	/* truncated comm: compare the prefix */
		return set_bool(o, strncmp(base, hdr(c)->comm, n) != 0);
	return set_bool(o, strlen(base) != n || memcmp(base, hdr(c)->comm, n));
}

static int get_proc_cmdline(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);

	return p ? set_cstr(o, p->args) : -1;
}

static int get_proc_cwd(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 0);

	if (is_type(c, VGL_EV_EXEC))
		return set_vstr(o, &c->e->v.strs[VGL_EXEC_S_CWD]);
	return p ? set_cstr(o, p->cwd) : -1;
}

static int get_proc_pname(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 1);

	return p ? set_cstr(o, p->comm) : -1;
}

static int get_proc_pexe(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 1);

	return p ? set_cstr(o, p->exe) : -1;
}

static int get_proc_pcmdline(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, 1);

	return p ? set_cstr(o, p->args) : -1;
}

/* proc.aname[N]: N = 0 is the process itself, 1 its parent, ... */
static int get_proc_aname(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, idx);

	if (idx == 0)
		return get_proc_name(c, 0, o);
	return p ? set_cstr(o, p->comm) : -1;
}

static int get_proc_aexe(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, idx);

	return p ? set_cstr(o, p->exe) : -1;
}

static int get_proc_apid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, idx);

	if (idx == 0)
		return set_int(o, hdr(c)->pid);
	return p ? set_int(o, p->pid) : -1;
}

static int get_proc_acmdline(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *p = proc_at(c, idx);

	return p ? set_cstr(o, p->args) : -1;
}

/* ---- exec facts (exec events) ---- */

static const struct vgl_exec *exec_body(const struct field_ctx *c)
{
	return is_type(c, VGL_EV_EXEC) ? EV_BODY(&c->e->v, vgl_exec) : NULL;
}

#define EXEC_FLAG_GETTER(fn, flag)						\
	static int fn(const struct field_ctx *c, int idx, struct fval *o)	\
	{									\
		const struct vgl_exec *x = exec_body(c);			\
		return x ? set_bool(o, x->flags & (flag)) : -1;			\
	}

EXEC_FLAG_GETTER(get_exe_memfd, VGL_EXEC_MEMFD)
EXEC_FLAG_GETTER(get_exe_protected, VGL_EXEC_PROTECTED)
EXEC_FLAG_GETTER(get_execer_protected, VGL_EXEC_EXECER_PROTECTED)
EXEC_FLAG_GETTER(get_exe_deleted, VGL_EXEC_DELETED)
EXEC_FLAG_GETTER(get_exe_written, VGL_EXEC_WRITTEN)
EXEC_FLAG_GETTER(get_exe_in_tmp, VGL_EXEC_TMPDIR)
EXEC_FLAG_GETTER(get_exe_on_tmpfs, VGL_EXEC_TMPFS)
EXEC_FLAG_GETTER(get_exe_upper, VGL_EXEC_UPPER_LAYER)
EXEC_FLAG_GETTER(get_exe_setuid, VGL_EXEC_SETUID)
EXEC_FLAG_GETTER(get_exe_script, VGL_EXEC_SCRIPT)
EXEC_FLAG_GETTER(get_exe_outside_root, VGL_EXEC_OUTSIDE_ROOT)
EXEC_FLAG_GETTER(get_args_truncated, VGL_EXEC_ARGS_TRUNC)

static int get_exe_path(const struct field_ctx *c, int idx, struct fval *o)
{
	return exec_body(c) ? set_vstr(o, &c->e->v.strs[VGL_EXEC_S_PATH]) : -1;
}

static int get_exe_hidden(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_str *p = &c->e->v.strs[VGL_EXEC_S_PATH];
	size_t i;

	if (!exec_body(c))
		return -1;
	for (i = p->len; i > 0 && p->ptr[i - 1] != '/'; i--)
		;
	return set_bool(o, i < p->len && p->ptr[i] == '.');
}

/* Hashing reads the file: only rules that use this field pay for it. */
static int get_exe_sha256(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_exec *x = exec_body(c);
	const char *hex;

	if (!x || !c->hashes || hdr(c)->ret < 0)
		return -1;
	const struct vgl_str *p = &c->e->v.strs[VGL_EXEC_S_PATH];
	char path[VGL_PATH_MAX + 1];

	snprintf(path, sizeof(path), "%.*s", (int)p->len, p->ptr);
	/* a script's path is not the executed inode (that is the interpreter) */
	hex = exehash_get(c->hashes, hdr(c)->pid, (x->flags & VGL_EXEC_SCRIPT) ? NULL : path,
			  x->dev, x->ino, x->ctime_ns);
	if (!hex)
		return -1;
	memcpy(o->buf, hex, 65);
	return set_str(o, o->buf, 64);
}

static int get_exec_filename(const struct field_ctx *c, int idx, struct fval *o)
{
	return exec_body(c) ? set_vstr(o, &c->e->v.strs[VGL_EXEC_S_FILENAME]) : -1;
}

static int get_interpreter(const struct field_ctx *c, int idx, struct fval *o)
{
	return exec_body(c) ? set_vstr(o, &c->e->v.strs[VGL_EXEC_S_INTERP]) : -1;
}

static int get_ld_preload(const struct field_ctx *c, int idx, struct fval *o)
{
	return exec_body(c) ? set_vstr(o, &c->e->v.strs[VGL_EXEC_S_LD_PRELOAD]) : -1;
}

static int get_argc(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_exec *x = exec_body(c);

	return x ? set_int(o, x->argc) : -1;
}

static const char *const fd_kinds[] = {
	"none", "file", "dir", "tty", "char", "pipe", "socket", "other",
};

static int get_stdio(const struct field_ctx *c, int fd, struct fval *o)
{
	const struct vgl_exec *x = exec_body(c);
	uint8_t k;

	if (!x)
		return -1;
	k = x->stdio[fd];
	return set_cstr(o, k < sizeof(fd_kinds) / sizeof(fd_kinds[0]) ? fd_kinds[k] : "other");
}

static int get_stdin(const struct field_ctx *c, int idx, struct fval *o)
{
	return get_stdio(c, 0, o);
}

static int get_stdout(const struct field_ctx *c, int idx, struct fval *o)
{
	return get_stdio(c, 1, o);
}

static int get_stderr(const struct field_ctx *c, int idx, struct fval *o)
{
	return get_stdio(c, 2, o);
}

/* The process writing into this exec's stdin pipe (curl in curl | sh). */
static const struct proc_entry *stdin_writer(const struct field_ctx *c)
{
	const struct vgl_exec *x = exec_body(c);

	if (!x || x->stdio[0] != VGL_FD_PIPE || !c->procs)
		return NULL;
	return proc_table_find_stdout(c->procs, x->stdio_ino[0], hdr(c)->pid);
}

static int get_stdin_writer(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *w = stdin_writer(c);

	return w ? set_cstr(o, w->comm) : -1;
}

static int get_stdin_writer_exe(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *w = stdin_writer(c);

	return w ? set_cstr(o, w->exe) : -1;
}

static int get_stdin_writer_cmdline(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *w = stdin_writer(c);

	return w ? set_cstr(o, w->args) : -1;
}

/*
 * The process reading this exec's stdout pipe (sh in curl | sh). With
 * stdin_writer this sees a pipeline whatever the order in which its two
 * execs reach us: the later exec finds the earlier one.
 */
static const struct proc_entry *stdout_reader(const struct field_ctx *c)
{
	const struct vgl_exec *x = exec_body(c);

	if (!x || x->stdio[1] != VGL_FD_PIPE || !c->procs)
		return NULL;
	return proc_table_find_stdin(c->procs, x->stdio_ino[1], hdr(c)->pid);
}

static int get_stdout_reader(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *r = stdout_reader(c);

	return r ? set_cstr(o, r->comm) : -1;
}

static int get_stdout_reader_cmdline(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct proc_entry *r = stdout_reader(c);

	return r ? set_cstr(o, r->args) : -1;
}

/* ---- user.*, container.* ---- */

static int get_uid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->uid);
}

static int get_euid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->euid);
}

static int get_gid(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_int(o, hdr(c)->gid);
}

static int get_loginuid(const struct field_ctx *c, int idx, struct fval *o)
{
	uint32_t l = hdr(c)->loginuid;

	return set_int(o, l == (uint32_t)-1 ? -1 : (int64_t)l);
}

static bool on_host(const struct field_ctx *c)
{
	return !c->e->ctr || c->e->ctr->ref.runtime == CRT_HOST;
}

static int get_container_id(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_cstr(o, on_host(c) ? "host" : c->e->ctr->ref.id);
}

static int get_container_runtime(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_cstr(o, on_host(c) ? "host" : container_runtime_name(c->e->ctr->ref.runtime));
}

static int get_container_is(const struct field_ctx *c, int idx, struct fval *o)
{
	return set_bool(o, !on_host(c));
}

/*
 * Metadata fields read c->e->ctr only, never the event: the responder
 * evaluates them on an event that carries nothing but a container. Unknown
 * metadata (the host, a runtime that does not say, not read yet) is "".
 */
static const struct container_meta *ctr_meta(const struct field_ctx *c)
{
	return on_host(c) ? NULL : c->e->ctr->meta;
}

static int get_container_name(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);

	return set_cstr(o, on_host(c) ? "host" : m ? m->name : "");
}

static int get_container_image(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);

	return set_cstr(o, m ? m->image : "");
}

/* "registry/repo:tag@digest": the repository ends at the tag's ':' (a ':'
 * after the last '/', not a registry port) or at the '@'. */
static void image_split(const char *img, size_t *repo_len, const char **tag, size_t *tag_len)
{
	const char *at = strchr(img, '@');
	size_t n = at ? (size_t)(at - img) : strlen(img);
	const char *slash = memrchr(img, '/', n);
	const char *start = slash ? slash + 1 : img;
	const char *colon = memchr(start, ':', n - (start - img));

	*repo_len = colon ? (size_t)(colon - img) : n;
	*tag = colon ? colon + 1 : "";
	*tag_len = colon ? n - (colon + 1 - img) : 0;
}

static int get_container_image_repo(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);
	const char *tag;
	size_t repo_len, tag_len;

	if (!m)
		return set_cstr(o, "");
	image_split(m->image, &repo_len, &tag, &tag_len);
	return set_str(o, m->image, repo_len);
}

static int get_container_image_tag(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);
	const char *tag;
	size_t repo_len, tag_len;

	if (!m)
		return set_cstr(o, "");
	image_split(m->image, &repo_len, &tag, &tag_len);
	return set_str(o, tag, tag_len);
}

static int get_k8s_ns(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);

	return set_cstr(o, m ? m->pod_namespace : "");
}

static int get_k8s_pod(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);

	return set_cstr(o, m ? m->pod_name : "");
}

/* The cgroup path knows the pod's UID before (or without) any metadata. */
static int get_k8s_pod_uid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_info *ci = c->e->ctr;

	if (ci && ci->meta && ci->meta->pod_uid[0])
		return set_cstr(o, ci->meta->pod_uid);
	return set_cstr(o, ci ? ci->ref.pod_uid : "");
}

static int get_k8s_pod_labels(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);

	return set_cstr(o, m ? m->labels : "");
}

/* The value of label c->key in "k:v,k2:v2"; absent when there is none. */
static int get_k8s_pod_label(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct container_meta *m = ctr_meta(c);
	size_t klen = c->key ? strlen(c->key) : 0;
	const char *p = m ? m->labels : NULL;

	while (p && *p && klen) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > klen && !strncmp(p, c->key, klen) && p[klen] == ':')
			return set_str(o, p + klen + 1, len - klen - 1);
		p = end ? end + 1 : NULL;
	}
	return -1;
}

/* ---- fd.* and file.* (file events) ---- */

static const struct vgl_file *file_body(const struct field_ctx *c)
{
	return (EVENT_BIT(hdr(c)->type) & FILE_EVENTS) ? EV_BODY(&c->e->v, vgl_file) : NULL;
}

static int get_fd_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return file_body(c) ? set_vstr(o, &c->e->v.strs[VGL_FILE_S_PATH]) : -1;
}

static int get_fd_directory(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_str *p = &c->e->v.strs[VGL_FILE_S_PATH];
	size_t i;

	if (!file_body(c))
		return -1;
	for (i = p->len; i > 0 && p->ptr[i - 1] != '/'; i--)
		;
	return set_str(o, p->ptr, i > 1 ? i - 1 : i);
}

static int get_fd_filename(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_str *p = &c->e->v.strs[VGL_FILE_S_PATH];
	size_t i;

	if (!file_body(c))
		return -1;
	for (i = p->len; i > 0 && p->ptr[i - 1] != '/'; i--)
		;
	return set_str(o, p->ptr + i, p->len - i);
}

static int get_fd_target(const struct field_ctx *c, int idx, struct fval *o)
{
	return file_body(c) ? set_vstr(o, &c->e->v.strs[VGL_FILE_S_PATH2]) : -1;
}

static int get_fd_flags(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f ? set_int(o, f->flags) : -1;
}

/* O_TMPFILE includes O_DIRECTORY: test all its bits, or every directory
 * open would look like a file creation. */
static bool is_tmpfile(uint32_t flags)
{
	return (flags & O_TMPFILE) == O_TMPFILE;
}

static int get_fd_is_write(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	if (!f || !is_type(c, VGL_EV_OPEN))
		return -1;
	return set_bool(o, (f->flags & O_ACCMODE) != O_RDONLY ||
			       (f->flags & (O_CREAT | O_TRUNC)) || is_tmpfile(f->flags));
}

static int get_fd_is_create(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	if (!f || !is_type(c, VGL_EV_OPEN))
		return -1;
	return set_bool(o, (f->flags & O_CREAT) || is_tmpfile(f->flags));
}

static int get_fd_is_trunc(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	if (!f || !is_type(c, VGL_EV_OPEN))
		return -1;
	return set_bool(o, f->flags & O_TRUNC);
}

static int get_fd_mode(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f ? set_int(o, f->mode & 07777) : -1;
}

static int get_fd_from_user(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f ? set_bool(o, f->path_flags & VGL_PATH_F_USER) : -1;
}

static int get_fd_outside_root(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f ? set_bool(o, f->path_flags & VGL_PATH_F_OUTSIDE_ROOT) : -1;
}

static int get_fd_setuid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f && is_type(c, VGL_EV_CHMOD) ? set_bool(o, f->mode & 06000) : -1;
}

/* The object is the process's own executable (a binary deleting itself). */
static int get_fd_is_proc_exe(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_str *p = &c->e->v.strs[VGL_FILE_S_PATH];
	const struct proc_entry *pe = proc_at(c, 0);

	if (!file_body(c) || !pe)
		return -1;
	return set_bool(o, p->len && strlen(pe->exe) == p->len && !memcmp(pe->exe, p->ptr, p->len));
}

static int get_file_mtime(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f && is_type(c, VGL_EV_UTIMES) ? set_int(o, (int64_t)f->length) : -1;
}

static int get_file_length(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f && is_type(c, VGL_EV_TRUNCATE) ? set_int(o, (int64_t)f->length) : -1;
}

static int get_file_uid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f && is_type(c, VGL_EV_CHOWN) ? set_int(o, (int32_t)f->uid) : -1;
}

/* ---- net.* ---- */

static const struct vgl_net *net_body(const struct field_ctx *c)
{
	return (EVENT_BIT(hdr(c)->type) & NET_EVENTS) ? EV_BODY(&c->e->v, vgl_net) : NULL;
}

static int name_or_number(struct fval *o, const char *name, unsigned int v)
{
	return name ? set_cstr(o, name) : set_fmt(o, "%u", v);
}

static int get_net_family(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? name_or_number(o, net_family_name(n->family), n->family) : -1;
}

static int get_net_type(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? name_or_number(o, net_type_name(n->type), n->type) : -1;
}

static int get_net_proto(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? name_or_number(o, net_proto_name(n->family, n->protocol), n->protocol) : -1;
}

static int get_net_sport(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? set_int(o, n->sport) : -1;
}

static int get_net_dport(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? set_int(o, n->dport) : -1;
}

static int set_addr(struct fval *o, uint16_t family, const uint8_t *a)
{
	o->type = FT_ADDR;
	o->addr_len = family == AF_INET ? 4 : 16;
	memcpy(o->addr, a, o->addr_len);
	if (!inet_ntop(family, a, o->buf, sizeof(o->buf)))
		o->buf[0] = '\0';
	o->s = o->buf;
	o->len = strlen(o->buf);
	return 0;
}

static int get_net_saddr(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	if (!n || (n->family != AF_INET && n->family != AF_INET6))
		return -1;
	return set_addr(o, n->family, n->saddr);
}

static int get_net_daddr(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	if (!n || (n->family != AF_INET && n->family != AF_INET6))
		return -1;
	return set_addr(o, n->family, n->daddr);
}

static int get_net_unix_path(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	if (!n || n->family != AF_UNIX)
		return -1;
	return set_vstr(o, &c->e->v.strs[VGL_NET_S_UNIX_PATH]);
}

static int get_net_is_raw(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? set_bool(o, n->flags & VGL_NET_F_RAW) : -1;
}

static int get_net_is_packet(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_net *n = net_body(c);

	return n ? set_bool(o, n->flags & VGL_NET_F_PACKET) : -1;
}

/* ---- mem.* ---- */

static const struct vgl_mem *mem_body(const struct field_ctx *c)
{
	unsigned int t = hdr(c)->type;

	return t == VGL_EV_MMAP_EXEC || t == VGL_EV_MEMFD_CREATE ? EV_BODY(&c->e->v, vgl_mem)
								  : NULL;
}

static int get_mem_anonymous(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_mem *m = mem_body(c);

	return m && is_type(c, VGL_EV_MMAP_EXEC) ? set_bool(o, m->anon) : -1;
}

static int get_mem_was_writable(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_mem *m = mem_body(c);

	return m && is_type(c, VGL_EV_MMAP_EXEC) ? set_bool(o, m->was_writable) : -1;
}

static int get_mem_prot(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_mem *m = mem_body(c);

	return m && is_type(c, VGL_EV_MMAP_EXEC) ? set_int(o, m->prot) : -1;
}

static int get_mem_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return mem_body(c) ? set_vstr(o, &c->e->v.strs[VGL_MEM_S_NAME]) : -1;
}

/* ---- privilege and kernel events ---- */

static const struct vgl_syscall *sc_body(const struct field_ctx *c, unsigned int type)
{
	return is_type(c, type) ? EV_BODY(&c->e->v, vgl_syscall) : NULL;
}

static int str_of(const struct field_ctx *c, unsigned int type, int i, struct fval *o)
{
	return sc_body(c, type) ? set_vstr(o, &c->e->v.strs[i]) : -1;
}

static int get_ptrace_request(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_PTRACE);

	if (!sc)
		return -1;
	return name_or_number(o, priv_ptrace_request_name(sc->arg[0]), sc->arg[0]);
}

static int get_ptrace_pid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_PTRACE);

	return sc ? set_int(o, (int32_t)sc->arg[1]) : -1;
}

static int get_pvw_pid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_PROCESS_VM_WRITEV);

	return sc ? set_int(o, (int32_t)sc->arg[0]) : -1;
}

static int get_mount_source(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_MOUNT, 0, o);
}

static int get_mount_target(const struct field_ctx *c, int idx, struct fval *o)
{
	if (is_type(c, VGL_EV_UMOUNT))
		return str_of(c, VGL_EV_UMOUNT, 0, o);
	return str_of(c, VGL_EV_MOUNT, 1, o);
}

static int get_mount_fstype(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_MOUNT, 2, o);
}

static int get_ns_flags(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_UNSHARE);

	if (!sc)
		return -1;
	priv_clone_flags_str(o->buf, sizeof(o->buf), sc->arg[0]);
	return set_cstr(o, o->buf);
}

static int get_setns_type(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_SETNS, 0, o);
}

static int get_bpf_cmd(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_BPF);

	return sc ? name_or_number(o, priv_bpf_cmd_name(sc->arg[0]), sc->arg[0]) : -1;
}

static int get_module_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_MODULE, 0, o);
}

static int get_prctl_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_PRCTL, 0, o);
}

static int get_xattr_name(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_SETXATTR, 1, o);
}

static int get_xattr_path(const struct field_ctx *c, int idx, struct fval *o)
{
	return str_of(c, VGL_EV_SETXATTR, 0, o);
}

static int get_setuid_euid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_SETUID);

	return sc ? set_int(o, (uint32_t)sc->arg[4]) : -1;
}

/* ---- privilege escalation rules ---- */

/* Inode of the initial pid namespace (PROC_PID_INIT_INO, fixed by the kernel):
 * only there are the pids a caller passes to ptrace those of the process table. */
#define INIT_PIDNS_INO		0xEFFFFFFCU
#define DESCENDANT_DEPTH_MAX	32

/*
 * The ptrace target descends from the caller: a program it started, the way
 * strace, gdb and rr trace, rather than a process that was already running
 * (injection, T1055.008; what Yama's ptrace_scope 1 forbids). Absent when the
 * caller is in another pid namespace or the target is not in the table.
 */
static int get_ptrace_is_descendant(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_syscall *sc = sc_body(c, VGL_EV_PTRACE);
	const struct proc_entry *p;
	uint32_t pid;

	if (!sc || !c->procs || hdr(c)->pidns != INIT_PIDNS_INO)
		return -1;
	pid = (uint32_t)sc->arg[1];
	if (!pid || !(p = proc_table_get(c->procs, pid, false)))
		return -1;
	for (int i = 0; i < DESCENDANT_DEPTH_MAX && p; i++) {
		if (p->ppid == hdr(c)->pid)
			return set_bool(o, true);
		if (p->ppid <= 1)
			break;
		p = proc_table_get(c->procs, p->ppid, false);
	}
	return set_bool(o, false);
}

/* The setuid bit alone: fd.setuid also holds for setgid, which shared
 * directories carry (chmod g+s), while setuid on a directory means nothing. */
static int get_fd_mode_setuid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_file *f = file_body(c);

	return f && is_type(c, VGL_EV_CHMOD) ? set_bool(o, f->mode & 04000) : -1;
}

/* ---- scan.* (the integrity scanner's findings) ---- */

static const struct vgl_scan *scan_body(const struct field_ctx *c)
{
	return is_type(c, VGL_EV_SCAN_FINDING) ? EV_BODY(&c->e->v, vgl_scan) : NULL;
}

static int get_scan_check(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_scan *s = scan_body(c);

	return s ? set_cstr(o, scan_check_name(s->check)) : -1;
}

static int get_scan_subject(const struct field_ctx *c, int idx, struct fval *o)
{
	return scan_body(c) ? set_vstr(o, &c->e->v.strs[VGL_SCAN_S_SUBJECT]) : -1;
}

static int get_scan_detail(const struct field_ctx *c, int idx, struct fval *o)
{
	return scan_body(c) ? set_vstr(o, &c->e->v.strs[VGL_SCAN_S_DETAIL]) : -1;
}

static int get_scan_bpf_type(const struct field_ctx *c, int idx, struct fval *o)
{
	return scan_body(c) ? set_vstr(o, &c->e->v.strs[VGL_SCAN_S_BPF_TYPE]) : -1;
}

static int get_scan_pid(const struct field_ctx *c, int idx, struct fval *o)
{
	const struct vgl_scan *s = scan_body(c);

	return s ? set_int(o, s->pid) : -1;
}

#define SCAN_FLAG_GETTER(fn, flag)						\
	static int fn(const struct field_ctx *c, int idx, struct fval *o)	\
	{									\
		const struct vgl_scan *s = scan_body(c);			\
		return s ? set_bool(o, s->flags & (flag)) : -1;			\
	}

SCAN_FLAG_GETTER(get_scan_risky, VGL_SCAN_F_RISKY)
SCAN_FLAG_GETTER(get_scan_changed, VGL_SCAN_F_CHANGED)
SCAN_FLAG_GETTER(get_scan_no_holder, VGL_SCAN_F_NO_HOLDER)

/* ---- the table ---- */

#define F(n, t, ev, fn, d) { n, t, false, false, ev, fn, d }
#define FA(n, t, fn, d) { n, t, true, true, EVENT_ALL, fn, d }
#define FK(n, t, fn, d) { n, t, false, false, EVENT_ALL, fn, d, true }

static const struct field_def fields[] = {
	F("evt.type", FT_STR, EVENT_ALL, get_evt_type, "event type: exec, open, connect, ..."),
	F("evt.category", FT_STR, EVENT_ALL, get_evt_category, "process, file, memory, network, privilege, kernel"),
	F("evt.res", FT_INT, EVENT_ALL, get_evt_res, "result: 0, an fd or count, or -errno"),
	F("evt.failed", FT_BOOL, EVENT_ALL, get_evt_failed, "the call failed (evt.res < 0)"),
	F("evt.error", FT_STR, EVENT_ALL, get_evt_error, "errno name when failed (EACCES), else empty"),
	F("evt.syscall", FT_STR, FILE_EVENTS | PRIV_EVENTS, get_evt_syscall, "the system call: openat, renameat2, ..."),

	F("proc.pid", FT_INT, EVENT_ALL, get_proc_pid, "process id"),
	F("proc.tid", FT_INT, EVENT_ALL, get_proc_tid, "thread id"),
	F("proc.ppid", FT_INT, EVENT_ALL, get_proc_ppid, "parent process id"),
	F("proc.name", FT_STR, EVENT_ALL, get_proc_name, "command name (comm, 15 chars)"),
	F("proc.exe", FT_STR, EVENT_ALL, get_proc_exe, "absolute path of the executable"),
	F("proc.exe_name", FT_STR, EVENT_ALL, get_proc_exe_name, "file name of the executable"),
	F("proc.args", FT_STR, EVENT_ALL, get_proc_args, "arguments without argv[0], joined by spaces"),
	F("proc.cmdline", FT_STR, EVENT_ALL, get_proc_cmdline, "argv joined by spaces"),
	F("proc.name_mismatch", FT_BOOL, EVENT_ALL, get_proc_name_mismatch, "command name differs from the executable's file name (renamed process)"),
	F("proc.cwd", FT_STR, EVENT_ALL, get_proc_cwd, "working directory (at exec)"),
	F("proc.pname", FT_STR, EVENT_ALL, get_proc_pname, "parent's command name"),
	F("proc.pexe", FT_STR, EVENT_ALL, get_proc_pexe, "parent's executable"),
	F("proc.pcmdline", FT_STR, EVENT_ALL, get_proc_pcmdline, "parent's argv"),
	FA("proc.aname", FT_STR, get_proc_aname, "[N]: command name of the N-th ancestor (0: self); without [N]: any ancestor"),
	FA("proc.aexe", FT_STR, get_proc_aexe, "[N]: executable of the N-th ancestor; without [N]: any ancestor"),
	FA("proc.apid", FT_INT, get_proc_apid, "[N]: pid of the N-th ancestor; without [N]: any ancestor"),
	FA("proc.acmdline", FT_STR, get_proc_acmdline, "[N]: argv of the N-th ancestor; without [N]: any ancestor"),
	F("proc.exepath", FT_STR, EV(EXEC), get_exe_path, "exec: resolved path of the executed file (the script for scripts)"),
	F("proc.exe_sha256", FT_STR, EV(EXEC), get_exe_sha256, "exec: SHA-256 of the executed file (hex; read on demand, cached)"),
	F("proc.filename", FT_STR, EV(EXEC), get_exec_filename, "exec: the name passed to execve"),
	F("proc.is_memfd", FT_BOOL, EV(EXEC), get_exe_memfd, "exec: the file is a memfd (fileless)"),
	F("proc.exe_deleted", FT_BOOL, EV(EXEC), get_exe_deleted, "exec: the file has no links"),
	F("proc.exe_written", FT_BOOL, EV(EXEC), get_exe_written, "exec: created or changed after the container (or vigil) started"),
	F("proc.exe_in_tmp", FT_BOOL, EV(EXEC), get_exe_in_tmp, "exec: path under /tmp, /dev/shm, /var/tmp or /run"),
	F("proc.exe_on_tmpfs", FT_BOOL, EV(EXEC), get_exe_on_tmpfs, "exec: file on tmpfs"),
	F("proc.exe_upper_layer", FT_BOOL, EV(EXEC), get_exe_upper, "exec: file on an overlayfs upper layer"),
	F("proc.exe_setuid", FT_BOOL, EV(EXEC), get_exe_setuid, "exec: file is setuid or setgid"),
	F("proc.exe_hidden", FT_BOOL, EV(EXEC), get_exe_hidden, "exec: file name starts with a dot"),
	F("proc.exe_outside_root", FT_BOOL, EV(EXEC), get_exe_outside_root, "exec: file outside the process's root"),
	F("proc.exe_protected", FT_BOOL, EV(EXEC), get_exe_protected, "exec: the file is a protected program (see `protected` in docs/enforcement.md)"),
	F("proc.execer_protected", FT_BOOL, EV(EXEC), get_execer_protected, "exec: the process was running a protected program when it called exec (a runtime re-executing itself)"),
	F("proc.is_script", FT_BOOL, EV(EXEC), get_exe_script, "exec: run through an interpreter"),
	F("proc.interpreter", FT_STR, EV(EXEC), get_interpreter, "exec: interpreter of a script"),
	F("proc.ld_preload", FT_STR, EV(EXEC), get_ld_preload, "exec: value of LD_PRELOAD in the environment, or empty"),
	F("proc.argc", FT_INT, EV(EXEC), get_argc, "exec: argument count"),
	F("proc.args_truncated", FT_BOOL, EV(EXEC), get_args_truncated, "exec: argv longer than captured"),
	F("proc.stdin", FT_STR, EV(EXEC), get_stdin, "exec: kind of fd 0: none, file, dir, tty, char, pipe, socket, other"),
	F("proc.stdout", FT_STR, EV(EXEC), get_stdout, "exec: kind of fd 1"),
	F("proc.stderr", FT_STR, EV(EXEC), get_stderr, "exec: kind of fd 2"),
	F("proc.stdin_writer", FT_STR, EV(EXEC), get_stdin_writer, "exec: command name of the process writing the stdin pipe"),
	F("proc.stdin_writer_exe", FT_STR, EV(EXEC), get_stdin_writer_exe, "exec: its executable"),
	F("proc.stdin_writer_cmdline", FT_STR, EV(EXEC), get_stdin_writer_cmdline, "exec: its argv"),
	F("proc.stdout_reader", FT_STR, EV(EXEC), get_stdout_reader, "exec: command name of the process reading the stdout pipe"),
	F("proc.stdout_reader_cmdline", FT_STR, EV(EXEC), get_stdout_reader_cmdline, "exec: its argv"),

	F("user.uid", FT_INT, EVENT_ALL, get_uid, "real user id"),
	F("user.euid", FT_INT, EVENT_ALL, get_euid, "effective user id"),
	F("user.gid", FT_INT, EVENT_ALL, get_gid, "real group id"),
	F("user.loginuid", FT_INT, EVENT_ALL, get_loginuid, "audit login uid, -1 when unset"),

	F("container.id", FT_STR, EVENT_ALL, get_container_id, "container id, or \"host\""),
	F("container.runtime", FT_STR, EVENT_ALL, get_container_runtime, "docker, containerd, cri-o, podman, systemd-nspawn, runc, unknown, host"),
	F("container.is", FT_BOOL, EVENT_ALL, get_container_is, "the event comes from a container"),
	F("container.name", FT_STR, EVENT_ALL, get_container_name, "container name (Kubernetes container name, docker/podman name), \"host\" on the host, empty when the runtime does not say"),
	F("container.image", FT_STR, EVENT_ALL, get_container_image, "image as the runtime got it (registry/repo:tag), empty when unknown"),
	F("container.image.repository", FT_STR, EVENT_ALL, get_container_image_repo, "the image without its tag and digest"),
	F("container.image.tag", FT_STR, EVENT_ALL, get_container_image_tag, "the image's tag, empty when none"),
	F("k8s.ns.name", FT_STR, EVENT_ALL, get_k8s_ns, "Kubernetes namespace of the pod, empty outside pods"),
	F("k8s.pod.name", FT_STR, EVENT_ALL, get_k8s_pod, "Kubernetes pod name, empty outside pods"),
	F("k8s.pod.uid", FT_STR, EVENT_ALL, get_k8s_pod_uid, "Kubernetes pod UID (from the cgroup path, so known at once)"),
	F("k8s.pod.labels", FT_STR, EVENT_ALL, get_k8s_pod_labels, "pod labels as key:value,key2:value2 (CRI-O, docker; containerd keeps them in its database)"),
	FK("k8s.pod.label", FT_STR, get_k8s_pod_label, "k8s.pod.label[KEY]: the value of one pod label (absent when the pod has no such label)"),

	F("fd.name", FT_STR, FILE_EVENTS, get_fd_name, "file events: absolute path of the object"),
	F("fd.path", FT_STR, FILE_EVENTS, get_fd_name, "same as fd.name"),
	F("fd.directory", FT_STR, FILE_EVENTS, get_fd_directory, "directory part of fd.name"),
	F("fd.filename", FT_STR, FILE_EVENTS, get_fd_filename, "file name part of fd.name"),
	F("fd.target", FT_STR, FILE_EVENTS, get_fd_target, "rename/link: the new path; symlink: the target"),
	F("fd.flags", FT_INT, FILE_EVENTS, get_fd_flags, "open flags (O_*) or the call's flags"),
	F("fd.is_write", FT_BOOL, EV(OPEN), get_fd_is_write, "open for writing (write access, O_CREAT, O_TRUNC)"),
	F("fd.is_create", FT_BOOL, EV(OPEN), get_fd_is_create, "open with O_CREAT or O_TMPFILE"),
	F("fd.is_trunc", FT_BOOL, EV(OPEN), get_fd_is_trunc, "open with O_TRUNC"),
	F("fd.mode", FT_INT, FILE_EVENTS, get_fd_mode, "permission bits: open's create mode, chmod's mode"),
	F("fd.from_user", FT_BOOL, FILE_EVENTS, get_fd_from_user, "path taken from the call's argument, not the kernel object"),
	F("fd.outside_root", FT_BOOL, FILE_EVENTS, get_fd_outside_root, "object outside the process's root (container escape)"),
	F("fd.setuid", FT_BOOL, EV(CHMOD), get_fd_setuid, "chmod: the new mode has setuid or setgid"),
	F("fd.is_proc_exe", FT_BOOL, FILE_EVENTS, get_fd_is_proc_exe, "the object is the process's own executable"),
	F("file.mtime", FT_INT, EV(UTIMES), get_file_mtime, "utimes: requested mtime (s), 0 for now"),
	F("file.length", FT_INT, EV(TRUNCATE), get_file_length, "truncate: new length"),
	F("file.uid", FT_INT, EV(CHOWN), get_file_uid, "chown: new owner, -1 unchanged"),

	F("net.family", FT_STR, NET_EVENTS, get_net_family, "AF_INET, AF_INET6, AF_UNIX, AF_PACKET, ..."),
	F("net.type", FT_STR, NET_EVENTS, get_net_type, "SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, ..."),
	F("net.proto", FT_STR, NET_EVENTS, get_net_proto, "tcp, udp, icmp, ... (inet sockets)"),
	F("net.sport", FT_INT, NET_EVENTS, get_net_sport, "local port"),
	F("net.dport", FT_INT, NET_EVENTS, get_net_dport, "remote port"),
	F("net.saddr", FT_ADDR, NET_EVENTS, get_net_saddr, "local address; compares with addresses and CIDRs"),
	F("net.daddr", FT_ADDR, NET_EVENTS, get_net_daddr, "remote address; compares with addresses and CIDRs"),
	F("net.unix_path", FT_STR, NET_EVENTS, get_net_unix_path, "unix socket path (@name for abstract)"),
	F("net.is_raw", FT_BOOL, NET_EVENTS, get_net_is_raw, "SOCK_RAW socket"),
	F("net.is_packet", FT_BOOL, NET_EVENTS, get_net_is_packet, "AF_PACKET socket"),

	F("mem.anonymous", FT_BOOL, EV(MMAP_EXEC), get_mem_anonymous, "mmap_exec: anonymous memory"),
	F("mem.was_writable", FT_BOOL, EV(MMAP_EXEC), get_mem_was_writable, "mmap_exec: writable before / writable and executable"),
	F("mem.prot", FT_INT, EV(MMAP_EXEC), get_mem_prot, "mmap_exec: requested PROT_* bits"),
	F("mem.name", FT_STR, EV(MMAP_EXEC) | EV(MEMFD_CREATE), get_mem_name, "memfd_create: name; mmap_exec: mapped file"),

	F("ptrace.request", FT_STR, EV(PTRACE), get_ptrace_request, "PTRACE_ATTACH, PTRACE_POKETEXT, ..."),
	F("ptrace.pid", FT_INT, EV(PTRACE), get_ptrace_pid, "target pid"),
	F("process_vm.pid", FT_INT, EV(PROCESS_VM_WRITEV), get_pvw_pid, "target pid"),
	F("mount.source", FT_STR, EV(MOUNT), get_mount_source, "mount source"),
	F("mount.target", FT_STR, EV(MOUNT) | EV(UMOUNT), get_mount_target, "mount point"),
	F("mount.fstype", FT_STR, EV(MOUNT), get_mount_fstype, "file system type"),
	F("ns.flags", FT_STR, EV(UNSHARE), get_ns_flags, "unshare: CLONE_NEW* names joined by |"),
	F("ns.type", FT_STR, EV(SETNS), get_setns_type, "setns: namespace type of the fd (net, mnt, pid, ...)"),
	F("bpf.cmd", FT_STR, EV(BPF), get_bpf_cmd, "BPF_PROG_LOAD, BPF_MAP_CREATE, ..."),
	F("module.name", FT_STR, EV(MODULE), get_module_name, "module file (finit_module) or name (delete_module)"),
	F("prctl.name", FT_STR, EV(PRCTL), get_prctl_name, "PR_SET_NAME: the new name"),
	F("xattr.name", FT_STR, EV(SETXATTR), get_xattr_name, "attribute name (security.capability)"),
	F("xattr.path", FT_STR, EV(SETXATTR), get_xattr_path, "file whose attribute is set"),
	F("cred.euid", FT_INT, EV(SETUID), get_setuid_euid, "setuid family: effective uid after the call"),
	F("ptrace.is_descendant", FT_BOOL, EV(PTRACE), get_ptrace_is_descendant, "ptrace: the target descends from the caller (a program it started); absent in other pid namespaces"),
	F("fd.mode_setuid", FT_BOOL, EV(CHMOD), get_fd_mode_setuid, "chmod: the new mode has the setuid bit (04000), not just setgid"),

	F("scan.check", FT_STR, EV(SCAN_FINDING), get_scan_check, "scan_finding: what was found: hidden_process, proc_mount_over, ld_so_preload, ld_preload_env, so_deleted, so_tmp, bpf_program, syscall_table, module_hidden, exe_deleted, exe_memfd, masquerade, setuid_world_writable"),
	F("scan.subject", FT_STR, EV(SCAN_FINDING), get_scan_subject, "scan_finding: what it is about: a path, a pid, a BPF program's name"),
	F("scan.detail", FT_STR, EV(SCAN_FINDING), get_scan_detail, "scan_finding: readable explanation"),
	F("scan.pid", FT_INT, EV(SCAN_FINDING), get_scan_pid, "scan_finding: the process concerned (BPF: the first process holding it), 0 when none"),
	F("scan.bpf_type", FT_STR, EV(SCAN_FINDING), get_scan_bpf_type, "scan_finding bpf_program: program type (kprobe, tracing, xdp, socket_filter, ...)"),
	F("scan.risky", FT_BOOL, EV(SCAN_FINDING), get_scan_risky, "scan_finding bpf_program: a type rootkits use (kprobe, tracing, raw_tracepoint, lsm, tc, xdp, ext) or a call to bpf_probe_write_user / bpf_override_return"),
	F("scan.changed", FT_BOOL, EV(SCAN_FINDING), get_scan_changed, "scan_finding: differs from the previous scan of this vigil (ld.so.preload)"),
	F("scan.no_holder", FT_BOOL, EV(SCAN_FINDING), get_scan_no_holder, "scan_finding bpf_program: no process holds it (pinned, or attached and left)"),
};

const struct field_def *field_table(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

const struct field_def *field_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len && !memcmp(fields[i].name, name, len))
			return &fields[i];
	return NULL;
}

const char *ftype_name(enum ftype t)
{
	switch (t) {
	case FT_STR: return "string";
	case FT_INT: return "int";
	case FT_BOOL: return "bool";
	case FT_ADDR: return "address";
	}
	return "?";
}

int field_get(const struct field_def *f, const struct field_ctx *c, int idx, struct fval *out)
{
	if (!(f->events & EVENT_BIT(hdr(c)->type)))
		return -1;
	return f->get(c, idx, out);
}

int field_parse_addr(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return 0;
}
