// SPDX-License-Identifier: GPL-2.0
/*
 * procs.c - hidden processes and mounts over /proc/PID.
 *
 * The kernel's list of tasks comes from a BPF task iterator; /proc's list
 * from the getdents64 system call itself, not readdir(3), so a library
 * preloaded into vigil cannot filter it. A task the kernel runs that /proc
 * does not list, checked twice to rule out a process that just exited, is
 * hidden (a kernel rootkit filtering /proc). Hiding by mounting an empty
 * directory over /proc/PID leaves the pid listed: mountinfo shows it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "scan/scan_int.h"
#include "scan/scan_iter.h"
#include "scan_iter.skel.h"

#define INIT_PIDNS_INO	0xEFFFFFFCU	/* PROC_PID_INIT_INO */

/* ---- the kernel's view ---- */

/* Read an iterator's seq file whole; *out malloc'd. Bytes or -errno. */
static ssize_t read_iter(struct bpf_program *prog, char **out)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL;
	ssize_t n = 0;
	int fd, err;

	*out = NULL;
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	for (;;) {
		if (!buf || len == cap) {
			char *nb = realloc(buf, buf ? cap *= 2 : cap);

			if (!nb) {
				n = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0)
		n = n == -ENOMEM ? n : -errno;
	close(fd);
	bpf_link__destroy(link);
	if (n < 0) {
		free(buf);
		return n;
	}
	*out = buf;
	return len;
}

static int cmp_task(const void *a, const void *b)
{
	const struct scan_task *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int tasks_from_iter(struct scan_ctx *c, const char *buf, size_t len)
{
	size_t n = len / sizeof(struct scan_iter_task);

	c->tasks = calloc(n ? n : 1, sizeof(*c->tasks));
	if (!c->tasks)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct scan_iter_task r;

		memcpy(&r, buf + i * sizeof(r), sizeof(r));
		c->tasks[i] = (struct scan_task){ .tgid = r.tgid, .ppid = r.ppid,
						  .start_ns = r.start_ns, .flags = r.flags };
		memcpy(c->tasks[i].comm, r.comm, sizeof(r.comm));
		c->tasks[i].comm[VGL_COMM_LEN - 1] = '\0';
	}
	c->ntasks = n;
	qsort(c->tasks, n, sizeof(*c->tasks), cmp_task);
	return 0;
}

static int holders_from_iter(struct scan_ctx *c, const char *buf, size_t len)
{
	size_t n = len / sizeof(struct scan_iter_file);

	c->holders = calloc(n ? n : 1, sizeof(*c->holders));
	if (!c->holders)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct scan_iter_file r;

		memcpy(&r, buf + i * sizeof(r), sizeof(r));
		c->holders[i] = (struct scan_holder){ .tgid = r.tgid, .id = r.id, .kind = r.kind };
		memcpy(c->holders[i].comm, r.comm, sizeof(r.comm));
		c->holders[i].comm[VGL_COMM_LEN - 1] = '\0';
	}
	c->nholders = n;
	return 0;
}

int scan_collect_kernel_view(struct scan_ctx *c)
{
	struct scan_iter_bpf *skel = scan_iter_bpf__open_and_load();
	char *buf = NULL;
	ssize_t n;
	int err;

	if (!skel) {
		c->iter_err = -errno;
		snprintf(c->iter_why, sizeof(c->iter_why),
			 "cannot load the BPF task iterator: %s", strerror(errno));
		return c->iter_err;
	}
	n = read_iter(skel->progs.vgl_scan_task, &buf);
	err = n < 0 ? (int)n : tasks_from_iter(c, buf, n);
	free(buf);
	if (!err) {
		n = read_iter(skel->progs.vgl_scan_bpf_fds, &buf);
		err = n < 0 ? (int)n : holders_from_iter(c, buf, n);
		free(buf);
	}
	scan_iter_bpf__destroy(skel);
	if (err) {
		c->iter_err = err;
		snprintf(c->iter_why, sizeof(c->iter_why), "the BPF task iterator failed: %s",
			 strerror(-err));
	}
	return err;
}

/* ---- /proc's view ---- */

int scan_dirents_pids(const void *buf, size_t len, void (*fn)(void *ctx, uint32_t pid), void *ctx)
{
	const char *p = buf;
	size_t off = 0;
	int n = 0;

	while (off < len) {
		const struct dirent64 *d = (const void *)(p + off);
		size_t namemax, i;
		uint64_t pid = 0;

		if (len - off < offsetof(struct dirent64, d_name) + 1 ||
		    d->d_reclen < offsetof(struct dirent64, d_name) + 1 || d->d_reclen > len - off)
			return -EINVAL;
		namemax = d->d_reclen - offsetof(struct dirent64, d_name);
		if (!memchr(d->d_name, '\0', namemax))	/* name runs out of its record */
			return -EINVAL;
		for (i = 0; d->d_name[i]; i++) {
			if (d->d_name[i] < '0' || d->d_name[i] > '9' || pid > UINT32_MAX / 10) {
				pid = 0;
				break;
			}
			pid = pid * 10 + (d->d_name[i] - '0');
		}
		if (pid && pid <= UINT32_MAX) {
			fn(ctx, (uint32_t)pid);
			n++;
		}
		off += d->d_reclen;
	}
	return n;
}

struct pid_list {
	uint32_t *v;
	size_t n, cap;
	bool oom;
};

static void pid_list_add(void *ctx, uint32_t pid)
{
	struct pid_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The pids /proc lists, through getdents64 itself. */
static int list_proc_pids(const char *proc, struct pid_list *l)
{
	char buf[32768];
	int fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return -errno;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		if (scan_dirents_pids(buf, n, pid_list_add, l) < 0) {
			n = -1;
			errno = EIO;
			break;
		}
	close(fd);
	if (n < 0)
		return -errno;
	if (l->oom)
		return -ENOMEM;
	qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
	return 0;
}

int scan_collect_proc_pids(struct scan_ctx *c)
{
	struct pid_list l = { 0 };
	int err = list_proc_pids(c->proc, &l);

	if (err) {
		free(l.v);
		return err;
	}
	c->pids = l.v;
	c->npids = l.n;
	return 0;
}

static bool sorted_has(const uint32_t *v, size_t n, uint32_t x)
{
	return bsearch(&x, v, n, sizeof(*v), cmp_u32) != NULL;
}

/* ---- hidden processes ---- */

static bool in_init_pidns(const char *proc)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/self/ns/pid", proc);
	return !stat(path, &st) && st.st_ino == INIT_PIDNS_INO;
}

/* Still the same process after the second look: alive, listed by the
 * kernel again with the same start time. */
static bool still_running(const struct scan_task *t, const struct scan_ctx *again)
{
	const struct scan_task *t2 = scan_task_find(again, t->tgid);

	return t2 && t2->start_ns == t->start_ns && (kill(t->tgid, 0) == 0 || errno == EPERM);
}

static void report_hidden(struct scan_ctx *c, const struct scan_task *t)
{
	struct scan_finding f = { .check = VGL_SCAN_HIDDEN_PROCESS, .pid = t->tgid,
				  .start_ns = t->start_ns };

	memcpy(f.comm, t->comm, sizeof(f.comm));
	snprintf(f.subject, sizeof(f.subject), "%u", t->tgid);
	snprintf(f.detail, sizeof(f.detail),
		 "pid %u (%s, parent %u) runs in the kernel but %s does not list it", t->tgid,
		 t->comm, t->ppid, c->proc);
	scan_emit(c, SCAN_CHK_HIDDEN_PROCS, &f);
}

void scan_check_hidden(struct scan_ctx *c, struct scan_check_result *res)
{
	struct scan_ctx again = { .o = c->o, .proc = c->proc };
	size_t nsusp = 0;

	if (c->iter_err) {
		scan_status(res, c->iter_err == -EPERM ? SCAN_NOT_AVAILABLE : SCAN_FAILED, "%s",
			    c->iter_why);
		return;
	}
	if (!c->pids) {
		scan_status(res, SCAN_FAILED, "cannot list %s", c->proc);
		return;
	}
	if (!in_init_pidns(c->proc)) {
		scan_status(res, SCAN_NOT_AVAILABLE,
			    "%s is not the initial pid namespace's: its pids are not the kernel's",
			    c->proc);
		return;
	}
	res->examined = c->ntasks;
	for (size_t i = 0; i < c->ntasks; i++)
		if (!sorted_has(c->pids, c->npids, c->tasks[i].tgid))
			nsusp++;
	if (!nsusp)
		return;
	/* a second look: processes that exited in between are gone from both */
	if (scan_collect_kernel_view(&again) || scan_collect_proc_pids(&again)) {
		scan_status(res, SCAN_FAILED, "the second look failed: %s", again.iter_why);
		goto out;
	}
	for (size_t i = 0; i < c->ntasks; i++) {
		const struct scan_task *t = &c->tasks[i];

		if (!sorted_has(c->pids, c->npids, t->tgid) &&
		    !sorted_has(again.pids, again.npids, t->tgid) && still_running(t, &again))
			report_hidden(c, t);
	}
out:
	free(again.tasks);
	free(again.holders);
	free(again.pids);
}

/* ---- mounts over /proc/PID ---- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* pid when mnt is proc_mnt/PID or below it, else 0 */
static uint32_t proc_pid_of(const char *mnt, const char *proc_mnt)
{
	size_t n = strlen(proc_mnt);
	uint64_t pid = 0;
	const char *p;

	if (strncmp(mnt, proc_mnt, n) || mnt[n] != '/')
		return 0;
	for (p = mnt + n + 1; *p >= '0' && *p <= '9' && pid <= UINT32_MAX; p++)
		pid = pid * 10 + (*p - '0');
	if (p == mnt + n + 1 || (*p && *p != '/') || pid > UINT32_MAX)
		return 0;
	return (uint32_t)pid;
}

int scan_mountinfo_proc(const char *text, const char *proc_mnt,
			void (*fn)(void *ctx, uint32_t pid, const char *mnt, const char *src),
			void *ctx)
{
	const char *line = text;
	int found = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[2 * PATH_MAX], *f[16], *save = NULL, *tok, *src = "";
		int nf = 0;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			for (tok = strtok_r(buf, " ", &save); tok && nf < 16;
			     tok = strtok_r(NULL, " ", &save))
				f[nf++] = tok;
			/* id parent maj:min root mount-point opts [optional...] - type source super */
			for (int i = 6; i + 2 < nf; i++)
				if (!strcmp(f[i], "-")) {
					src = f[i + 2];
					break;
				}
			if (nf >= 5) {
				uint32_t pid;

				unescape(f[4]);
				unescape(src);
				pid = proc_pid_of(f[4], proc_mnt);
				if (pid) {
					fn(ctx, pid, f[4], src);
					found++;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

struct mount_ctx {
	struct scan_ctx *c;
};

static void report_mount_over(void *ctx, uint32_t pid, const char *mnt, const char *src)
{
	struct scan_ctx *c = ((struct mount_ctx *)ctx)->c;
	const struct scan_task *t = scan_task_find(c, pid);
	struct scan_finding f = { .check = VGL_SCAN_PROC_MOUNT_OVER, .pid = t ? pid : 0 };

	if (t) {
		memcpy(f.comm, t->comm, sizeof(f.comm));
		f.start_ns = t->start_ns;
	}
	snprintf(f.subject, sizeof(f.subject), "%s", mnt);
	snprintf(f.detail, sizeof(f.detail), "%s is mounted over %s%s%s%s", src, mnt,
		 t ? " hiding " : "", t ? t->comm : "", t ? "" : " (no such process now)");
	scan_emit(c, SCAN_CHK_PROC_MOUNTS, &f);
}

void scan_check_proc_mounts(struct scan_ctx *c, struct scan_check_result *res)
{
	struct mount_ctx m = { c };
	char path[PATH_MAX], *text;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/self/mountinfo", c->proc);
	n = scan_read_all(path, &text);
	if (n < 0) {
		scan_status(res, SCAN_FAILED, "cannot read %s: %s", path, strerror((int)-n));
		return;
	}
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		res->examined++;
	scan_mountinfo_proc(text, c->proc, report_mount_over, &m);
	free(text);
}
