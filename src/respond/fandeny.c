// SPDX-License-Identifier: GPL-2.0
/*
 * fandeny.c - see fandeny.h. Three parts: the marks (which filesystems the
 * plan needs watched), the answering thread (every permission event gets
 * an answer, allow unless the plan says deny with facts it knows), and the
 * queue of denial records the main thread drains into the pipeline.
 *
 * The thread holds f->lock while it decides one event; the main thread
 * takes it to swap the plan or add a container, never while it calls
 * fanotify_mark(), so an exec is never kept waiting on a mark change.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "log.h"
#include "respond/fandeny.h"
#include "respond/fanfacts.h"

#define FACT(f)		(1ULL << (f))
#define DRIFT_FACTS	(FACT(VGL_FACT_IN_CONTAINER) | FACT(VGL_FACT_WRITTEN))
/* facts userspace never has: a term testing them is the kernel's */
#define NEVER_KNOWN	FACT(VGL_FACT_LD_PRELOAD)
#define STDIO_FACTS	(FACT(VGL_FACT_STDIN_SOCKET) | FACT(VGL_FACT_STDOUT_SOCKET) | \
			 FACT(VGL_FACT_STDERR_SOCKET))

#define FAN_FS_MAX	256	/* filesystems remembered (marked or not) */
#define FAN_QUEUE_MAX	256	/* denial records waiting for the main thread */
#define FAN_DECIDED_MAX	VGL_ENF_SLOTS_MAX

static const char *const tmp_dirs[] = { "/tmp", "/dev/shm", "/var/tmp", "/run" };

/* One filesystem we may watch: a directory on it, and for a container's
 * root filesystem the moment after which its files count as written. */
struct fan_fs {
	dev_t dev;
	char dir[PATH_MAX];
	uint64_t start_real_ns;
	bool container;
	bool wanted;		/* the plan needs it (main thread only) */
	bool marked;		/* fanotify_mark() added it (main thread only) */
};

struct fan_rec {
	struct fan_rec *next;
	size_t size;
	uint8_t data[];
};

struct fan_stats {
	atomic_ullong events, allowed, denied, failed, answer_errors, queue_drops;
	atomic_ullong max_ns, total_ns;
};

struct fan_deny {
	int fd;				/* the fanotify group */
	int stop_fd;			/* eventfd: ends the thread */
	pthread_t thread;
	bool thread_started;
	struct fan_deny_opts o;
	struct vgl_enf_protected_key *protected;
	dev_t root_dev;			/* the root filesystem: never marked */
	ino_t root_ino;
	char cgroup_root[PATH_MAX];	/* cgroup2 mount, "" if none */

	pthread_mutex_t lock;		/* plan, fs[].dev/dir/start/container, nfs */
	const struct exec_plan *plan;
	struct fan_fs fs[FAN_FS_MAX];
	size_t nfs;

	/* ruleset indexes decided here (main thread only) */
	uint32_t decided[FAN_DECIDED_MAX];
	size_t ndecided;

	pthread_mutex_t qlock;
	struct fan_rec *qhead, **qtail;
	size_t qlen;

	struct fan_stats stats;
};

/* ---- small helpers ---- */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* readlink into buf (NUL-terminated). 0 or -errno. */
static int read_link(const char *link, char *buf, size_t size)
{
	ssize_t n = readlink(link, buf, size - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* Read a small file (a /proc entry) into buf, NUL-terminated. Length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

static void cut_deleted(char *path)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path), k = sizeof(suffix) - 1;

	if (n > k && !strcmp(path + n - k, suffix))
		path[n - k] = '\0';
}

/* ---- the plan, as this module reads it ---- */

/* Path i of the plan's path sets (a prefix or an exact path): its text,
 * length and set bits. */
static bool plan_prefix(const struct exec_plan *p, size_t i, const char **s, size_t *len,
			uint64_t *bits)
{
	if (i >= p->npaths)
		return false;
	*s = p->paths[i].s;
	*len = p->paths[i].key.len;
	*bits = p->paths[i].bits;
	return true;
}

/* Name-set bits of parent command names (only those need /proc/PPID/comm). */
static uint64_t plan_pcomm_bits(const struct exec_plan *p)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < p->nnames; i++)
		if ((p->names[i].key.kind & 0x0f) == VGL_ENF_PCOMM)
			bits |= p->names[i].bits;
	return bits;
}

/* Every fact bit that some term of the plan tests. */
static uint64_t plan_tested_bits(const struct exec_plan *p)
{
	uint64_t bits = 0;

	for (uint32_t i = 0; i < p->set.nterms && i < VGL_ENF_TERMS_MAX; i++)
		bits |= p->set.terms[i].must | p->set.terms[i].must_not;
	return bits;
}

/* ---- marks ---- */

static struct fan_fs *fs_by_dev(struct fan_deny *f, dev_t dev)
{
	for (size_t i = 0; i < f->nfs; i++)
		if (f->fs[i].dev == dev)
			return &f->fs[i];
	return NULL;
}

/* A free slot: a new one, else one whose filesystem is gone. */
static struct fan_fs *fs_slot(struct fan_deny *f)
{
	struct stat st;

	if (f->nfs < FAN_FS_MAX)
		return &f->fs[f->nfs];
	for (size_t i = 0; i < f->nfs; i++)
		if (stat(f->fs[i].dir, &st) || st.st_dev != f->fs[i].dev)
			return &f->fs[i];
	return NULL;
}

/* The top directory of dir's filesystem (its mount point, as far as st_dev
 * tells), into out: what the watch is logged and removed by, and which
 * outlives the directory a rule named. */
static void fs_top(const char *dir, dev_t dev, char *out, size_t size)
{
	char up[PATH_MAX];
	struct stat st;
	char *slash;

	snprintf(out, size, "%s", dir);
	for (;;) {
		snprintf(up, sizeof(up), "%s", out);
		slash = strrchr(up, '/');
		if (!slash || slash == up)
			return;
		*slash = '\0';
		if (stat(up, &st) || st.st_dev != dev)
			return;
		snprintf(out, size, "%s", up);
	}
}

/*
 * Remember the filesystem of dir (a container root when start_real_ns is
 * set). The root filesystem is refused: marking it would put every exec
 * on the host through this thread. Returns the entry or NULL.
 */
static struct fan_fs *fs_add(struct fan_deny *f, const char *dir, bool container,
			     uint64_t start_real_ns)
{
	struct fan_fs *e;
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return NULL;
	if (st.st_dev == f->root_dev) {
		log_debug("fanotify: %s is on the root filesystem: not watched", dir);
		return NULL;
	}
	pthread_mutex_lock(&f->lock);
	e = fs_by_dev(f, st.st_dev);
	if (!e && (e = fs_slot(f))) {
		/* a reused slot's filesystem is gone, and its mark with it */
		if (e == &f->fs[f->nfs])
			f->nfs++;
		memset(e, 0, sizeof(*e));
		e->dev = st.st_dev;
		fs_top(dir, st.st_dev, e->dir, sizeof(e->dir));
	}
	if (e && container) {
		e->container = true;
		e->start_real_ns = start_real_ns;
	}
	pthread_mutex_unlock(&f->lock);
	if (!e)
		log_warn("fanotify: cannot watch %s: %d filesystems already remembered", dir,
			 FAN_FS_MAX);
	return e;
}

static void fs_mark(struct fan_deny *f, struct fan_fs *e)
{
	if (fanotify_mark(f->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM,
			  AT_FDCWD, e->dir)) {
		log_warn("fanotify: cannot watch execs on the filesystem of '%s': %s", e->dir,
			 strerror(errno));
		return;
	}
	e->marked = true;
	log_info("fanotify: watching execs on the filesystem of %s%s", e->dir,
		 e->container ? " (container root)" : "");
}

static void fs_unmark(struct fan_deny *f, struct fan_fs *e)
{
	/* ENOENT when the filesystem is gone: its marks went with it */
	if (fanotify_mark(f->fd, FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM,
			  AT_FDCWD, e->dir) && errno != ENOENT)
		log_warn("fanotify: cannot stop watching '%s': %s", e->dir, strerror(errno));
	e->marked = false;
	log_info("fanotify: no longer watching execs on the filesystem of %s", e->dir);
}

static void fs_apply(struct fan_deny *f)
{
	for (size_t i = 0; i < f->nfs; i++) {
		struct fan_fs *e = &f->fs[i];

		if (e->wanted && !e->marked)
			fs_mark(f, e);
		else if (!e->wanted && e->marked)
			fs_unmark(f, e);
	}
}

static bool plan_has_drift(const struct exec_plan *p)
{
	for (uint32_t i = 0; p && i < p->set.nterms && i < VGL_ENF_TERMS_MAX; i++)
		if (!p->set.terms[i].except && (p->set.terms[i].must & DRIFT_FACTS) == DRIFT_FACTS)
			return true;
	return false;
}

/* Want the filesystems of the prefixes that term t requires. True if any. */
static bool want_prefixes(struct fan_deny *f, const struct exec_plan *p, uint64_t must)
{
	bool any = false;
	const char *s;
	size_t len;
	uint64_t bits;
	char dir[PATH_MAX];
	struct fan_fs *e;

	for (size_t i = 0; plan_prefix(p, i, &s, &len, &bits); i++) {
		if (!(bits & must) || !fan_prefix_dir(s, len, dir, sizeof(dir)))
			continue;
		if ((e = fs_add(f, dir, false, 0))) {
			e->wanted = true;
			any = true;
		}
	}
	return any;
}

static bool want_tmp_dirs(struct fan_deny *f)
{
	bool any = false;
	struct fan_fs *e;

	for (size_t i = 0; i < sizeof(tmp_dirs) / sizeof(tmp_dirs[0]); i++)
		if ((e = fs_add(f, tmp_dirs[i], false, 0))) {
			e->wanted = true;
			any = true;
		}
	return any;
}

static void note_decided(struct fan_deny *f, uint32_t index)
{
	for (size_t i = 0; i < f->ndecided; i++)
		if (f->decided[i] == index)
			return;
	if (f->ndecided < FAN_DECIDED_MAX)
		f->decided[f->ndecided++] = index;
}

/*
 * Which filesystems p needs watched and which of its rules that lets us
 * decide: a match term that requires a path prefix on a watchable
 * filesystem, a scratch directory (EXE_IN_TMP) or drift in containers.
 */
static void want_plan(struct fan_deny *f, const struct exec_plan *p)
{
	bool drift = plan_has_drift(p);

	f->ndecided = 0;
	for (size_t i = 0; i < f->nfs; i++)
		f->fs[i].wanted = drift && f->fs[i].container;
	for (uint32_t i = 0; i < p->set.nterms && i < VGL_ENF_TERMS_MAX; i++) {
		const struct vgl_enf_term *t = &p->set.terms[i];
		bool seen = false;

		if (t->except || ((t->must | t->must_not) & NEVER_KNOWN) ||
		    t->slot >= VGL_ENF_SLOTS_MAX)
			continue;
		seen |= want_prefixes(f, p, t->must);
		if (t->must & FACT(VGL_FACT_EXE_IN_TMP))
			seen |= want_tmp_dirs(f);
		if ((t->must & DRIFT_FACTS) == DRIFT_FACTS)
			seen = true;
		if (seen)
			note_decided(f, p->set.slot_rule[t->slot]);
	}
}

static void log_decided(const struct fan_deny *f, const struct exec_plan *p)
{
	for (size_t i = 0; i < f->ndecided; i++) {
		const struct exec_plan_rule *r = exec_plan_rule_at(p, f->decided[i]);

		log_info("rule %s: execs on watched filesystems are denied by fanotify (EPERM)",
			 r && r->rule ? r->rule->id : "?");
	}
}

/* ---- one event ---- */

/* What the thread learnt about one exec; the denial record is built from it. */
struct fan_exec {
	int fd;
	pid_t tid;
	struct fan_obs obs;
	char host_path[PATH_MAX];	/* the file, as we see it */
	char root[PATH_MAX];		/* the process's root, as we see it */
	char comm_after[VGL_COMM_LEN];
	bool root_is_ours;
	int rule;			/* ruleset index that denies, -1 */
};

/* Facts whose value depends on the executed inode (for a script, the
 * interpreter's in the kernel: reading "#!" tells which case this is). */
#define INODE_FACTS	(FACT(VGL_FACT_DELETED) | FACT(VGL_FACT_TMPFS) | FACT(VGL_FACT_WRITTEN) | \
			 FACT(VGL_FACT_UPPER_LAYER) | FACT(VGL_FACT_SETUID) | \
			 FACT(VGL_FACT_EUID0) | FACT(VGL_FACT_SCRIPT))

/* The file of the event; only what the plan's terms test beyond fstat
 * (all = ~0: everything, for a denial's record). */
static void observe_file(struct fan_exec *x, uint64_t tested)
{
	char link[64];
	char magic[2];
	struct statfs sfs;

	if (!x->obs.have_stat)
		x->obs.have_stat = !fstat(x->fd, &x->obs.st);
	if (!x->obs.fs_type && (tested & (FACT(VGL_FACT_TMPFS) | FACT(VGL_FACT_UPPER_LAYER))) &&
	    !fstatfs(x->fd, &sfs))
		x->obs.fs_type = sfs.f_type;
	/* The first page of the file is what exec reads next anyway: two
	 * bytes of it cost no I/O the exec would not do. */
	if (x->obs.script == FAN_UNKNOWN && (tested & INODE_FACTS) &&
	    pread(x->fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic))
		x->obs.script = magic[0] == '#' && magic[1] == '!' ? FAN_YES : FAN_NO;
	if (x->obs.path)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", x->fd);
	if (read_link(link, x->host_path, sizeof(x->host_path)))
		return;
	cut_deleted(x->host_path);
	x->obs.path = x->host_path;
}

static void observe_root(struct fan_deny *f, struct fan_exec *x)
{
	char link[64];
	struct stat st;
	const char *in;

	x->obs.outside_root = FAN_UNKNOWN;
	snprintf(link, sizeof(link), "/proc/%d/root", x->tid);
	if (stat(link, &st))
		return;
	x->root_is_ours = st.st_dev == f->root_dev && st.st_ino == f->root_ino;
	if (x->root_is_ours) {
		strcpy(x->root, "/");
		x->obs.outside_root = FAN_NO;
		return;
	}
	if (read_link(link, x->root, sizeof(x->root)))
		return;
	/* "/" for a root we cannot reach (a container's pivot_root): paths
	 * are then already relative to it, and outside-ness is unknown */
	if (!x->obs.path || !strcmp(x->root, "/"))
		return;
	in = fan_path_in_root(x->obs.path, x->root);
	x->obs.outside_root = in ? FAN_NO : FAN_YES;
	if (in)
		x->obs.path = in;
}

/* The start of the container a process runs in (its root's filesystem,
 * else the executed file's), 0 when it is not one we were told about. */
static uint64_t container_start(struct fan_deny *f, struct fan_exec *x)
{
	char link[64];
	struct stat st;
	struct fan_fs *e = NULL;

	snprintf(link, sizeof(link), "/proc/%d/root", x->tid);
	if (!stat(link, &st))
		e = fs_by_dev(f, st.st_dev);
	if ((!e || !e->container) && x->obs.have_stat)
		e = fs_by_dev(f, x->obs.st.st_dev);
	return e && e->container ? e->start_real_ns : 0;
}

static enum fan_tri fd_is_socket(pid_t tid, int n)
{
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", tid, n);
	if (stat(link, &st))
		return errno == ENOENT ? FAN_NO : FAN_UNKNOWN;
	return S_ISSOCK(st.st_mode) ? FAN_YES : FAN_NO;
}

static bool is_protected(const struct fan_deny *f, dev_t dev, ino_t ino)
{
	uint32_t kdev = fan_kdev(dev);

	for (size_t i = 0; i < f->o.nprotected; i++)
		if (f->protected[i].ino == ino && f->protected[i].dev == kdev)
			return true;
	return false;
}

static enum fan_tri execer_protected(const struct fan_deny *f, pid_t tid)
{
	char link[64];
	struct stat st;

	if (!f->o.nprotected)
		return FAN_NO;
	snprintf(link, sizeof(link), "/proc/%d/exe", tid);
	if (stat(link, &st))
		return FAN_UNKNOWN;
	return is_protected(f, st.st_dev, st.st_ino) ? FAN_YES : FAN_NO;
}

/* Fields of /proc/TID/status the record and the facts need. */
struct fan_status {
	char name[VGL_COMM_LEN];
	uint32_t tgid, ppid, uid, euid, gid, egid;
	enum fan_tri child_pidns;	/* more than one pid in NSpid */
	bool ok;
};

static void read_status(pid_t tid, struct fan_status *s)
{
	char path[64], buf[4096];
	const char *p;
	int got = 0;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	if ((p = strstr(buf, "Name:\t")) && sscanf(p, "Name:\t%15[^\n]", s->name) == 1)
		got++;
	if ((p = strstr(buf, "\nTgid:\t")) && sscanf(p, "\nTgid:\t%u", &s->tgid) == 1)
		got++;
	if ((p = strstr(buf, "\nPPid:\t")) && sscanf(p, "\nPPid:\t%u", &s->ppid) == 1)
		got++;
	if ((p = strstr(buf, "\nUid:\t")) && sscanf(p, "\nUid:\t%u\t%u", &s->uid, &s->euid) == 2)
		got++;
	if ((p = strstr(buf, "\nGid:\t")) && sscanf(p, "\nGid:\t%u\t%u", &s->gid, &s->egid) == 2)
		got++;
	s->child_pidns = FAN_UNKNOWN;
	if ((p = strstr(buf, "\nNSpid:\t"))) {
		unsigned int a, b;

		s->child_pidns = sscanf(p, "\nNSpid:\t%u\t%u", &a, &b) == 2 ? FAN_YES : FAN_NO;
	}
	s->ok = got == 5;
}

/* The parent's command name into out, or false. */
static bool read_pcomm(uint32_t ppid, char out[VGL_COMM_LEN])
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/comm", ppid);
	n = read_small(path, out, VGL_COMM_LEN);
	if (n <= 0)
		return false;
	if (out[n - 1] == '\n')
		out[n - 1] = '\0';
	return true;
}

/*
 * Gather what can be known about the exec of x->fd by x->tid without
 * waiting on anything, and ask the plan. Sets x->rule. Caller holds f->lock.
 */
/* Facts that need /proc/TID/status (euid, pid namespace). */
#define STATUS_FACTS	(FACT(VGL_FACT_EUID0) | FACT(VGL_FACT_IN_CONTAINER) | FACT(VGL_FACT_WRITTEN))

/* What /proc/TID/status tells, for the facts that need it. */
static void observe_status(struct fan_deny *f, struct fan_exec *x, struct fan_status *status)
{
	if (!status->ok)
		return;
	x->obs.euid0 = status->euid == 0 ? FAN_YES : FAN_NO;
	/* the kernel's "container": a pid namespace below the initial one */
	x->obs.in_container = status->child_pidns;
	if (x->obs.in_container == FAN_NO)
		x->obs.written_ref_ns = f->o.agent_start_real_ns;
	else if (x->obs.in_container == FAN_YES)
		x->obs.written_ref_ns = container_start(f, x);
}

static uint64_t cgroup_id_of(const struct fan_deny *f, pid_t tid);

/* The container sets of tid's cgroup as the kernel has them (enf_cgroups),
 * so both decide alike: a cgroup not classified yet is not known there. */
static uint64_t cgroup_facts(struct fan_deny *f, const struct exec_plan *p, pid_t tid,
			     uint64_t *known)
{
	struct vgl_enf_cgroup_key k = { .cgroup_id = cgroup_id_of(f, tid), .gen = p->gen };
	uint64_t bits;

	if (!k.cgroup_id || f->o.cgroups_fd < 0)
		return 0;
	*known |= FACT(VGL_FACT_CGROUP_KNOWN);
	if (bpf_map_lookup_elem(f->o.cgroups_fd, &k, &bits))
		return 0;
	*known |= exec_plan_container_bits(p);
	return bits | FACT(VGL_FACT_CGROUP_KNOWN);
}

/*
 * Gather what the plan's terms test about the exec of x->fd by x->tid,
 * without waiting on anything, and ask the plan. Sets x->rule; a fact no
 * term tests is not looked at (the common prefix rule costs fstat and two
 * readlinks). Caller holds f->lock.
 */
static void decide(struct fan_deny *f, const struct exec_plan *p, struct fan_exec *x,
		   struct fan_status *status)
{
	uint64_t tested = plan_tested_bits(p), string_bits = exec_plan_string_bits(p);
	uint64_t facts, known, pcomm_bits = plan_pcomm_bits(p);
	char pcomm[VGL_COMM_LEN] = "";
	bool have_pcomm = false;

	x->rule = -1;
	x->obs.script = FAN_UNKNOWN;
	x->obs.in_container = x->obs.euid0 = x->obs.execer_protected = FAN_UNKNOWN;
	for (int i = 0; i < 3; i++)
		x->obs.stdio_socket[i] = FAN_UNKNOWN;
	observe_file(x, tested);
	observe_root(f, x);
	if ((tested & STATUS_FACTS) || pcomm_bits) {
		read_status(x->tid, status);
		observe_status(f, x, status);
	}
	if (tested & STDIO_FACTS)
		for (int i = 0; i < 3; i++)
			x->obs.stdio_socket[i] = fd_is_socket(x->tid, i);
	if (tested & FACT(VGL_FACT_EXECER_PROTECTED))
		x->obs.execer_protected = execer_protected(f, x->tid);
	if (pcomm_bits && status->ok)
		have_pcomm = read_pcomm(status->ppid, pcomm);

	facts = fan_fixed_facts(&x->obs, &known);
	if (p->nctrsets)
		facts |= cgroup_facts(f, p, x->tid, &known);
	if (x->obs.path) {
		fan_comm_of_path(x->obs.path, x->comm_after);
		facts |= exec_plan_string_facts(p, x->obs.path, x->comm_after,
						have_pcomm ? pcomm : NULL);
		known |= string_bits;
		if (!have_pcomm)
			known &= ~pcomm_bits;
	}
	x->rule = exec_plan_decide(p, facts, known);
}

/* The safety rails, checked before a denial only: never a protected
 * program, the host's init or vigil itself. Reads the status the record
 * needs if decide() did not. */
static bool may_deny(struct fan_deny *f, struct fan_exec *x, struct fan_status *status)
{
	if (!status->ok) {
		read_status(x->tid, status);
		observe_status(f, x, status);
	}
	if (!status->ok)
		return false;	/* the process is gone or unreadable: nothing to report */
	observe_file(x, ~0ULL);	/* the record tells every file fact */
	if (x->obs.have_stat && is_protected(f, x->obs.st.st_dev, x->obs.st.st_ino))
		return false;
	return !(status->tgid == 1 && x->obs.in_container == FAN_NO) &&
	       status->tgid != (uint32_t)getpid();
}

static void answer(struct fan_deny *f, int fd, bool deny)
{
	struct fanotify_response r = { .fd = fd, .response = deny ? FAN_DENY : FAN_ALLOW };

	for (int tries = 0; tries < 3; tries++) {
		if (write(f->fd, &r, sizeof(r)) == (ssize_t)sizeof(r))
			return;
		if (errno != EINTR && errno != EAGAIN)
			break;
	}
	f->stats.answer_errors++;
}

/* ---- the denial record ---- */

static uint8_t fd_kind(const struct stat *st)
{
	unsigned int maj;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG: return VGL_FD_FILE;
	case S_IFDIR: return VGL_FD_DIR;
	case S_IFIFO: return VGL_FD_PIPE;
	case S_IFSOCK: return VGL_FD_SOCKET;
	case S_IFCHR:
		maj = fan_kdev(st->st_rdev) >> 20;
		/* as the kernel side classifies them: ttyN/ttySN, tty/console/ptmx, pts */
		if (maj == 4 || maj == 5 || (maj >= 136 && maj <= 143))
			return VGL_FD_TTY;
		return VGL_FD_CHAR;
	}
	return VGL_FD_OTHER;
}

static void record_stdio(pid_t tid, struct vgl_exec *e)
{
	char link[64];
	struct stat st;

	for (int i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", tid, i);
		if (stat(link, &st)) {
			e->stdio[i] = VGL_FD_NONE;
			continue;
		}
		e->stdio[i] = fd_kind(&st);
		e->stdio_ino[i] = st.st_ino;
	}
}

/* cgroup v2 id of tid: the inode number of its cgroup directory is the id. */
static uint64_t cgroup_id_of(const struct fan_deny *f, pid_t tid)
{
	char path[64], buf[PATH_MAX], dir[PATH_MAX * 2];
	const char *line;
	struct stat st;
	char *nl;

	if (!f->cgroup_root[0])
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	line = !strncmp(buf, "0::", 3) ? buf : strstr(buf, "\n0::");
	if (!line)
		return 0;
	line += line == buf ? 3 : 4;
	if ((nl = strchr(line, '\n')))
		*nl = '\0';
	snprintf(dir, sizeof(dir), "%s%s", f->cgroup_root, line);
	return stat(dir, &st) ? 0 : st.st_ino;
}

static uint64_t start_boot_ns(pid_t tid)
{
	char path[64], buf[1024];
	unsigned long long ticks;
	const char *p;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (read_small(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')) || hz <= 0)
		return 0;
	/* after "comm)": state is field 3, starttime field 22 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &ticks) != 1)
		return 0;
	return ticks * (1000000000ULL / hz);
}

static uint32_t ns_ino(pid_t tid, const char *ns)
{
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/ns/%s", tid, ns);
	return stat(link, &st) ? 0 : (uint32_t)st.st_ino;
}

static void record_header(const struct fan_deny *f, const struct fan_exec *x,
			  const struct fan_status *s, uint64_t ts_ns, struct vgl_hdr *h)
{
	char path[64], buf[32];

	memset(h, 0, sizeof(*h));
	h->type = VGL_EV_EXEC;
	h->hdr_flags = VGL_HF_DENIED |
		       (x->obs.in_container == FAN_YES ? VGL_HF_IN_CHILD_PIDNS : 0);
	h->enforce_rule = (uint16_t)(x->rule + 1);
	h->ret = -EPERM;
	h->ts_ns = ts_ns;
	h->start_ns = start_boot_ns(x->tid);
	h->pid = s->tgid;
	h->tid = x->tid;
	h->ppid = s->ppid;
	h->uid = s->uid;
	h->gid = s->gid;
	h->euid = s->euid;
	h->egid = s->egid;
	h->loginuid = (uint32_t)-1;
	snprintf(path, sizeof(path), "/proc/%d/loginuid", x->tid);
	if (read_small(path, buf, sizeof(buf)) > 0)
		h->loginuid = (uint32_t)strtoul(buf, NULL, 10);
	h->cgroup_id = cgroup_id_of(f, x->tid);
	h->pidns = ns_ino(x->tid, "pid");
	h->mntns = ns_ino(x->tid, "mnt");
	memcpy(h->comm, s->name, sizeof(h->comm));
	h->comm[VGL_COMM_LEN - 1] = '\0';
}

static void record_body(const struct fan_exec *x, struct vgl_exec *e)
{
	const struct stat *st = &x->obs.st;

	memset(e, 0, sizeof(*e));
	e->flags = fan_exec_flags(&x->obs);
	if (!x->obs.have_stat)
		return;
	e->ino = st->st_ino;
	e->dev = fan_kdev(st->st_dev);
	e->mode = st->st_mode;
	e->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000ULL + st->st_ctim.tv_nsec;
	e->file_uid = st->st_uid;
	e->file_gid = st->st_gid;
	record_stdio(x->tid, e);
}

static void enqueue(struct fan_deny *f, const void *data, size_t size)
{
	struct fan_rec *r;

	pthread_mutex_lock(&f->qlock);
	if (f->qlen >= FAN_QUEUE_MAX || !(r = malloc(sizeof(*r) + size))) {
		pthread_mutex_unlock(&f->qlock);
		f->stats.queue_drops++;
		return;
	}
	r->next = NULL;
	r->size = size;
	memcpy(r->data, data, size);
	*f->qtail = r;
	f->qtail = &r->next;
	f->qlen++;
	pthread_mutex_unlock(&f->qlock);
}

/* The record of a denial, queued for the main thread. */
static void report_denial(struct fan_deny *f, const struct fan_exec *x,
			  const struct fan_status *s, uint64_t ts_ns)
{
	static _Thread_local uint8_t buf[VGL_EVENT_MAX];
	char link[64], cwd_buf[PATH_MAX];
	const char *cwd = "";
	const char *path = x->obs.path ? x->obs.path : "";
	struct vgl_hdr h;
	struct vgl_exec e;
	size_t size;

	snprintf(link, sizeof(link), "/proc/%d/cwd", x->tid);
	if (!read_link(link, cwd_buf, sizeof(cwd_buf))) {
		cwd = x->root_is_ours || !strcmp(x->root, "/") ? cwd_buf :
		      fan_path_in_root(cwd_buf, x->root);
		if (!cwd)
			cwd = cwd_buf;
	}
	/* path, filename, interpreter, args, cwd, LD_PRELOAD: the name passed
	 * to execve and argv are in the caller's memory, which this does not
	 * read; the resolved path stands for the name */
	const char *strs[VGL_MAX_STRS] = { path, path, NULL, NULL, cwd, NULL };

	record_header(f, x, s, ts_ns, &h);
	record_body(x, &e);
	size = fan_record_build(buf, sizeof(buf), &h, &e, strs);
	if (size)
		enqueue(f, buf, size);
}

/*
 * Decide, answer, report. A denied exec's record is gathered before the
 * answer: once execve fails the process may exit at once (a shell's child
 * does), taking its /proc entries with it. Only denials pay for that.
 */
static void handle_perm(struct fan_deny *f, const struct fanotify_event_metadata *m)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC), ts = clock_ns(CLOCK_BOOTTIME), dt;
	struct fan_exec x = { .fd = m->fd, .tid = m->pid, .rule = -1 };
	struct fan_status status = {};

	pthread_mutex_lock(&f->lock);
	if (f->plan) {
		decide(f, f->plan, &x, &status);
		if (x.rule >= 0 && !may_deny(f, &x, &status))
			x.rule = -1;
	}
	pthread_mutex_unlock(&f->lock);
	if (x.rule >= 0)
		report_denial(f, &x, &status, ts);
	/* timed up to the answer: once it is written, the exec'ing task may
	 * preempt this thread, and that is its time, not ours */
	dt = clock_ns(CLOCK_MONOTONIC) - t0;
	answer(f, m->fd, x.rule >= 0);
	if (dt > f->stats.max_ns)
		f->stats.max_ns = dt;
	f->stats.total_ns += dt;
	f->stats.events++;
	if (x.rule >= 0) {
		f->stats.denied++;
	} else {
		f->stats.allowed++;
		if (!x.obs.path || !x.obs.have_stat)
			f->stats.failed++;	/* allowed for want of facts */
	}
}

static void handle_batch(struct fan_deny *f, const char *buf, ssize_t len)
{
	const struct fanotify_event_metadata *m = (const void *)buf;

	for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
		if (m->vers != FANOTIFY_METADATA_VERSION) {
			/* cannot happen with the version we were built for;
			 * the fd, if any, is still answered and closed */
			f->stats.failed++;
		}
		if (m->fd < 0)
			continue;	/* FAN_Q_OVERFLOW: permission events are never dropped */
		if (m->mask & FAN_OPEN_EXEC_PERM)
			handle_perm(f, m);
		close(m->fd);
	}
}

static void *fan_thread(void *arg)
{
	struct fan_deny *f = arg;
	struct pollfd pfd[2] = { { .fd = f->fd, .events = POLLIN },
				 { .fd = f->stop_fd, .events = POLLIN } };
	static _Thread_local char buf[16384] __attribute__((aligned(8)));

	for (;;) {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0)
			continue;	/* EINTR; nothing else can fail with valid fds */
		if (pfd[0].revents & POLLIN) {
			n = read(f->fd, buf, sizeof(buf));
			if (n > 0)
				handle_batch(f, buf, n);
		}
		if (pfd[1].revents & POLLIN)
			break;
	}
	return NULL;
}

/* ---- API ---- */

static void find_cgroup2(char *out, size_t size)
{
	FILE *mt = setmntent("/proc/self/mounts", "r");
	struct mntent *me;

	out[0] = '\0';
	while (mt && (me = getmntent(mt)))
		if (!strcmp(me->mnt_type, "cgroup2")) {
			snprintf(out, size, "%s", me->mnt_dir);
			break;
		}
	if (mt)
		endmntent(mt);
}

static int fan_init_ids(struct fan_deny *f)
{
	struct stat st;

	if (stat("/", &st))
		return -errno;
	f->root_dev = st.st_dev;
	f->root_ino = st.st_ino;
	find_cgroup2(f->cgroup_root, sizeof(f->cgroup_root));
	return 0;
}

static int fan_copy_protected(struct fan_deny *f, const struct fan_deny_opts *o)
{
	f->o = *o;
	f->o.protected_keys = NULL;
	if (!o->nprotected)
		return 0;
	f->protected = calloc(o->nprotected, sizeof(*f->protected));
	if (!f->protected)
		return -ENOMEM;
	memcpy(f->protected, o->protected_keys, o->nprotected * sizeof(*f->protected));
	return 0;
}

static bool plan_needs_us(struct fan_deny *f, const struct exec_plan *p)
{
	bool any_wanted = false;

	want_plan(f, p);
	for (size_t i = 0; i < f->nfs; i++)
		any_wanted |= f->fs[i].wanted;
	return any_wanted || plan_has_drift(p);
}

static int fan_start(struct fan_deny *f)
{
	int err;

	f->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
			      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (f->fd < 0) {
		err = -errno;
		log_error("fanotify: cannot create a permission group: %s", strerror(-err));
		return err;
	}
	f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->stop_fd < 0)
		return -errno;
	err = pthread_create(&f->thread, NULL, fan_thread, f);
	if (err) {
		log_error("fanotify: cannot start the answering thread: %s", strerror(err));
		return -err;
	}
	f->thread_started = true;
	return 0;
}

int fan_deny_open(struct fan_deny **out, const struct exec_plan *plan,
		  const struct fan_deny_opts *o)
{
	struct fan_deny *f;
	int err;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = f->stop_fd = -1;
	f->qtail = &f->qhead;
	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_init(&f->qlock, NULL);
	err = fan_copy_protected(f, o);
	if (!err)
		err = fan_init_ids(f);
	if (err)
		goto fail;
	if (!plan || !plan_needs_us(f, plan)) {
		log_debug("fanotify: no kill rule needs a watched filesystem");
		fan_deny_close(f);
		return 0;
	}
	err = fan_start(f);
	if (err)
		goto fail;
	f->plan = plan;
	fs_apply(f);
	log_decided(f, plan);
	*out = f;
	return 0;
fail:
	fan_deny_close(f);
	return err;
}

int fan_deny_set_plan(struct fan_deny *f, const struct exec_plan *plan)
{
	if (!f)
		return 0;
	/* the fs entries' wanted flags are the main thread's; only the
	 * plan pointer is shared with the answering thread */
	if (plan)
		want_plan(f, plan);
	else
		for (size_t i = 0; i < f->nfs; i++)
			f->fs[i].wanted = false;
	pthread_mutex_lock(&f->lock);
	f->plan = plan;
	pthread_mutex_unlock(&f->lock);
	fs_apply(f);
	if (plan)
		log_decided(f, plan);
	return 0;
}

int fan_deny_watch_container(struct fan_deny *f, const char *rootfs, uint64_t start_real_ns)
{
	struct fan_fs *e;
	const struct exec_plan *plan;

	if (!f || !rootfs || !*rootfs)
		return 0;
	e = fs_add(f, rootfs, true, start_real_ns);
	if (!e)
		return -ENOENT;
	pthread_mutex_lock(&f->lock);
	plan = f->plan;
	pthread_mutex_unlock(&f->lock);
	e->wanted = plan_has_drift(plan) || e->wanted;
	if (e->wanted && !e->marked)
		fs_mark(f, e);
	return 0;
}

bool fan_deny_decides(const struct fan_deny *f, uint32_t index)
{
	for (size_t i = 0; f && i < f->ndecided; i++)
		if (f->decided[i] == index)
			return true;
	return false;
}

int fan_deny_drain(struct fan_deny *f, sensor_record_fn fn, void *ctx)
{
	struct fan_rec *r, *next;
	int n = 0;

	if (!f)
		return 0;
	pthread_mutex_lock(&f->qlock);
	r = f->qhead;
	f->qhead = NULL;
	f->qtail = &f->qhead;
	f->qlen = 0;
	pthread_mutex_unlock(&f->qlock);
	for (; r; r = next, n++) {
		next = r->next;
		fn(ctx, r->data, r->size);
		free(r);
	}
	return n;
}

static void fan_log_stats(const struct fan_deny *f)
{
	if (!f->stats.events)
		return;
	log_info("fanotify: %llu execs answered (%llu denied, %llu allowed, %llu of them for "
		 "want of facts), answer in %llu us on average, %llu us at most, %llu answer "
		 "errors, %llu denial records dropped",
		 (unsigned long long)f->stats.events, (unsigned long long)f->stats.denied,
		 (unsigned long long)f->stats.allowed, (unsigned long long)f->stats.failed,
		 (unsigned long long)(f->stats.total_ns / f->stats.events / 1000),
		 (unsigned long long)f->stats.max_ns / 1000,
		 (unsigned long long)f->stats.answer_errors,
		 (unsigned long long)f->stats.queue_drops);
}

void fan_deny_close(struct fan_deny *f)
{
	struct fan_rec *r, *next;

	if (!f)
		return;
	if (f->thread_started) {
		uint64_t one = 1;

		if (write(f->stop_fd, &one, sizeof(one)) < 0)
			log_warn("fanotify: cannot stop the answering thread: %s", strerror(errno));
		pthread_join(f->thread, NULL);
		fan_log_stats(f);
	}
	/* closing the group allows every exec still waiting for an answer */
	if (f->fd >= 0)
		close(f->fd);
	if (f->stop_fd >= 0)
		close(f->stop_fd);
	for (r = f->qhead; r; r = next) {
		next = r->next;
		free(r);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_mutex_destroy(&f->qlock);
	free(f->protected);
	free(f);
}
