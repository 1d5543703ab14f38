// SPDX-License-Identifier: GPL-2.0
/* scan.c - run the checks, time them, and make records of findings; see scan.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include "scan/scan_int.h"

static const char *const check_names[VGL_SCAN_MAX] = {
	[VGL_SCAN_HIDDEN_PROCESS] = "hidden_process",
	[VGL_SCAN_PROC_MOUNT_OVER] = "proc_mount_over",
	[VGL_SCAN_LD_SO_PRELOAD] = "ld_so_preload",
	[VGL_SCAN_LD_PRELOAD_ENV] = "ld_preload_env",
	[VGL_SCAN_SO_DELETED] = "so_deleted",
	[VGL_SCAN_SO_TMP] = "so_tmp",
	[VGL_SCAN_BPF_PROG] = "bpf_program",
	[VGL_SCAN_SYSCALL_TABLE] = "syscall_table",
	[VGL_SCAN_MODULE_HIDDEN] = "module_hidden",
	[VGL_SCAN_EXE_DELETED] = "exe_deleted",
	[VGL_SCAN_EXE_MEMFD] = "exe_memfd",
	[VGL_SCAN_MASQUERADE] = "masquerade",
	[VGL_SCAN_SETUID_WW] = "setuid_world_writable",
};

const char *scan_check_name(unsigned int check)
{
	return check < VGL_SCAN_MAX && check_names[check] ? check_names[check] : "unknown";
}

const char *scan_status_name(enum scan_status s)
{
	switch (s) {
	case SCAN_RAN: return "ran";
	case SCAN_NOT_AVAILABLE: return "not_available";
	case SCAN_FAILED: return "failed";
	}
	return "?";
}

static const struct {
	const char *name, *title;
	void (*run)(struct scan_ctx *c, struct scan_check_result *res);
} checks[SCAN_CHK_MAX] = {
	[SCAN_CHK_HIDDEN_PROCS] = { "hidden_processes", "hidden processes", scan_check_hidden },
	[SCAN_CHK_PROC_MOUNTS] = { "proc_mounts", "mounts over /proc/PID", scan_check_proc_mounts },
	[SCAN_CHK_LD_SO_PRELOAD] = { "ld_so_preload", "/etc/ld.so.preload",
				     scan_check_ld_so_preload },
	[SCAN_CHK_PROCESS_MEMORY] = { "process_memory", "LD_PRELOAD and mapped objects",
				      scan_check_process_memory },
	[SCAN_CHK_EXECUTABLES] = { "executables", "deleted, memfd and masquerading executables",
				   scan_check_executables },
	[SCAN_CHK_BPF] = { "bpf", "BPF programs and links", scan_check_bpf },
	[SCAN_CHK_SYSCALL_TABLE] = { "syscall_table", "syscall table", scan_check_syscall_table },
	[SCAN_CHK_MODULES] = { "kernel_modules", "kernel modules", scan_check_modules },
	[SCAN_CHK_SETUID_WW] = { "setuid_world_writable", "setuid files in world-writable directories",
				 scan_check_setuid_ww },
};

void scan_status(struct scan_check_result *res, enum scan_status st, const char *fmt, ...)
{
	va_list ap;

	res->status = st;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

void scan_emit(struct scan_ctx *c, enum scan_check_id chk, struct scan_finding *f)
{
	c->r->checks[chk].findings++;
	c->r->findings++;
	if (c->fn)
		c->fn(c->fctx, f);
}

const struct scan_task *scan_task_find(const struct scan_ctx *c, uint32_t tgid)
{
	size_t lo = 0, hi = c->ntasks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->tasks[mid].tgid == tgid)
			return &c->tasks[mid];
		if (c->tasks[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

ssize_t scan_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -errno;
	while (got < (ssize_t)cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

ssize_t scan_read_all(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL;
	ssize_t n;

	*out = NULL;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= cap || !buf) {
			char *nb = realloc(buf, buf ? cap *= 2 : cap);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return -errno;
	}
	buf[len] = '\0';
	*out = buf;
	return len;
}

int scan_kallsyms(struct scan_ctx *c)
{
	ssize_t n;

	if (c->kallsyms || c->kallsyms_err)
		return c->kallsyms_err;
	n = scan_read_all("/proc/kallsyms", &c->kallsyms);
	if (n < 0)
		c->kallsyms_err = (int)n;
	else
		c->kallsyms_len = n;
	return c->kallsyms_err;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int scan_run(const struct scan_opts *opts, scan_finding_fn on_finding, void *ctx,
	     struct scan_report *report)
{
	static const struct scan_opts defaults = { 0 };
	struct scan_ctx c = {
		.o = opts ? opts : &defaults, .fn = on_finding, .fctx = ctx, .r = report,
	};
	uint64_t wall0 = clock_ns(CLOCK_MONOTONIC), cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	memset(report, 0, sizeof(*report));
	c.proc = c.o->proc_root ? c.o->proc_root : "/proc";
	c.self = c.o->self_pid ? c.o->self_pid : getpid();
	c.boot_now_ns = clock_ns(CLOCK_BOOTTIME);
	/* the kernel's view first: a process then missing from /proc either
	 * died in between (rechecked) or hides */
	scan_collect_kernel_view(&c);
	scan_collect_proc_pids(&c);
	for (int i = 0; i < SCAN_CHK_MAX; i++) {
		struct scan_check_result *res = &report->checks[i];
		uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

		res->name = checks[i].name;
		res->title = checks[i].title;
		checks[i].run(&c, res);
		res->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	}
	report->processes = c.ntasks;
	report->cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	report->wall_ns = clock_ns(CLOCK_MONOTONIC) - wall0;
	free(c.tasks);
	free(c.holders);
	free(c.pids);
	free(c.kallsyms);
	return 0;
}

/* ---- records ---- */

/* The "0::PATH" line of /proc/PID/cgroup, or NULL. */
static char *unified_line(char *buf)
{
	char *p;

	if (!strncmp(buf, "0::", 3))
		return buf;
	p = strstr(buf, "\n0::");
	return p ? p + 1 : NULL;
}

/* 0 when path is on a cgroup2 file system. */
static int statfs_is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC ? -1 : 0;
}

/* Header process fields from /proc/PID/stat and status: what a kernel
 * event would carry, so rules and enrichment treat it alike. */
static void fill_hdr_from_proc(struct vgl_hdr *h, const char *proc, uint32_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long start = 0;
	unsigned int ppid = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
	if (scan_read_file(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')) &&
	    sscanf(p + 2, "%*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &ppid, &start) == 2) {
		h->ppid = ppid;
		/* starttime is in clock ticks since boot (boot clock) */
		h->start_ns = start * (1000000000ULL / sysconf(_SC_CLK_TCK));
	}
	snprintf(path, sizeof(path), "%s/%u/status", proc, pid);
	if (scan_read_file(path, buf, sizeof(buf)) > 0) {
		if ((p = strstr(buf, "\nUid:")))
			sscanf(p + 5, "%u %u", &h->uid, &h->euid);
		if ((p = strstr(buf, "\nGid:")))
			sscanf(p + 5, "%u %u", &h->gid, &h->egid);
	}
	snprintf(path, sizeof(path), "%s/%u/loginuid", proc, pid);
	if (scan_read_file(path, buf, sizeof(buf)) > 0)
		h->loginuid = strtoul(buf, NULL, 10);
	/* the cgroup v2 id is the inode of the cgroup's directory (the unified
	 * line "0::PATH"; the mount is /sys/fs/cgroup, or .../unified on hybrid
	 * hosts) */
	snprintf(path, sizeof(path), "%s/%u/cgroup", proc, pid);
	if (scan_read_file(path, buf, sizeof(buf)) > 0 && (p = unified_line(buf))) {
		static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
		char cg[PATH_MAX + 32];

		p[3 + strcspn(p + 3, "\n")] = '\0';
		for (size_t i = 0; i < 2 && !h->cgroup_id; i++) {
			snprintf(cg, sizeof(cg), "%s%.*s", roots[i], PATH_MAX - 1, p + 3);
			if (!statfs_is_cgroup2(cg) && !stat(cg, &st))
				h->cgroup_id = st.st_ino;
		}
	}
	snprintf(path, sizeof(path), "%s/%u/ns/pid", proc, pid);
	if (!stat(path, &st))
		h->pidns = st.st_ino;
	snprintf(path, sizeof(path), "%s/%u/ns/mnt", proc, pid);
	if (!stat(path, &st))
		h->mntns = st.st_ino;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t max)
{
	uint16_t len = strnlen(s, max);

	memcpy(p, &len, sizeof(len));
	memcpy(p + sizeof(len), s, len);
	return p + sizeof(len) + len;
}

size_t scan_finding_record(const struct scan_finding *f, const char *proc_root, uint64_t ts_ns,
			   void *buf, size_t cap)
{
	struct vgl_hdr *h = buf;
	struct vgl_scan *b = (struct vgl_scan *)(h + 1);
	uint8_t *p = (uint8_t *)(b + 1);
	size_t need = sizeof(*h) + sizeof(*b) + 3 * sizeof(uint16_t) +
		      strnlen(f->subject, PATH_MAX) + strnlen(f->detail, SCAN_DETAIL_MAX) +
		      strnlen(f->bpf_type, sizeof(f->bpf_type));

	if (cap < need || need > UINT16_MAX)
		return 0;
	memset(h, 0, sizeof(*h) + sizeof(*b));
	h->type = VGL_EV_SCAN_FINDING;
	h->size = need;
	h->nr_strs = 3;
	h->ts_ns = ts_ns;
	h->loginuid = (uint32_t)-1;
	h->pid = h->tid = f->pid;
	if (f->pid) {
		fill_hdr_from_proc(h, proc_root ? proc_root : "/proc", f->pid);
		if (f->start_ns)
			h->start_ns = f->start_ns;
	}
	memcpy(h->comm, f->comm, sizeof(h->comm));
	b->check = f->check;
	b->flags = f->flags;
	b->pid = f->pid;
	b->id = f->id;
	b->ino = f->ino;
	p = put_str(p, f->subject, sizeof(f->subject));
	p = put_str(p, f->detail, sizeof(f->detail));
	put_str(p, f->bpf_type, sizeof(f->bpf_type));
	return need;
}
