// SPDX-License-Identifier: GPL-2.0
/* respond.c - see respond.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "respond/respond.h"
#include "respond/exec_plan.h"
#include "respond/fandeny.h"
#include "respond/netblock.h"
#include "detect/fields.h"
#include "enrich/container.h"
#include <stddef.h>
#include "log.h"

#define PF_KTHREAD	0x00200000

const char *const respond_default_protected[] = {
	/* container runtimes and their shims */
	"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc",
	"/usr/bin/crun", "/usr/local/bin/crun", "/usr/bin/youki",
	"/usr/bin/containerd", "/usr/local/bin/containerd",
	"/usr/bin/containerd-shim-runc-v2", "/usr/local/bin/containerd-shim-runc-v2",
	"/usr/bin/dockerd", "/usr/bin/conmon", "/usr/libexec/podman/conmon", "/usr/bin/crio",
	/* node agents */
	"/usr/bin/kubelet", "/usr/local/bin/kubelet",
	/* remote access and init */
	"/usr/sbin/sshd", "/lib/systemd/systemd", "/usr/lib/systemd/systemd",
	"/sbin/init",
	NULL,
};

struct rate_window {
	uint64_t window_ns;
	uint32_t count;
};

/* A file userspace hashed whose hash is on a kill rule's list. */
struct learned_file {
	uint64_t ino, ctime_ns;
	uint32_t dev;
	char hex[65];
};

#define LEARNED_FILES_MAX	1024		/* enf_inodes holds 4096 */
#define CGROUP_SET_SIZE		32768		/* open addressing, at most half full */
#define CGROUPS_MAX		(CGROUP_SET_SIZE / 2)	/* enf_cgroups holds 16384 */

struct responder {
	struct sensor *sensor;
	bool enforce;
	uint32_t rate;
	struct exec_plan *plan;
	unsigned int gen;		/* generation of the plan in the kernel */
	struct netblock *net;
	struct fan_deny *fan;
	struct vgl_enf_protected_key protected[PROTECTED_MAX];
	size_t nprotected;
	struct rate_window *windows;	/* per ruleset index */
	size_t nwindows;
	struct respond_stats stats;
	pid_t self;
	long clk_tck;
	uint64_t boot_to_real_ns;
	uint64_t start_real_ns;		/* "written" reference on the host */
	struct netblock_opts net_opts;
	/* learned sets, kept to enter them again for a reloaded plan */
	struct exe_hashes *hashes;
	const struct field_def *sha256_field;
	struct learned_file *files;	/* ring of LEARNED_FILES_MAX */
	size_t nfiles, next_file;
	uint64_t *cgroups;		/* set of classified cgroup ids, 0: free */
	size_t ncgroups;
	const struct container_info *(*container_of)(void *ctx, uint64_t cgroup_id);
	void *container_ctx;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- protected programs ---- */

/* dev_t as the kernel keeps it in a superblock: major << 20 | minor */
static uint32_t kernel_dev(dev_t d)
{
	return major(d) << 20 | minor(d);
}

static void protect_add(struct responder *r, const char *path, bool user_given)
{
	struct stat st;

	errno = 0;
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		if (user_given)	/* the built-in list names programs this host may not have */
			log_warn("protect: '%s' is not a program here: %s", path,
				 errno ? strerror(errno) : "not a regular file");
		return;
	}
	if (r->nprotected == PROTECTED_MAX) {
		log_warn("protected: more than %d programs, '%s' left out", PROTECTED_MAX, path);
		return;
	}
	for (size_t i = 0; i < r->nprotected; i++)
		if (r->protected[i].ino == st.st_ino && r->protected[i].dev == kernel_dev(st.st_dev))
			return;
	r->protected[r->nprotected].dev = kernel_dev(st.st_dev);
	r->protected[r->nprotected].ino = st.st_ino;
	r->nprotected++;
}

static int protect_load(struct responder *r, const struct respond_opts *o)
{
	const char *const *list = o->protected_exes ? o->protected_exes : respond_default_protected;
	size_t n = o->protected_exes ? o->nprotected : SIZE_MAX;
	int fd = sensor_map_fd(r->sensor, "enf_protected");
	uint8_t one = 1;

	for (size_t i = 0; i < n && list[i]; i++)
		protect_add(r, list[i], o->protected_exes != NULL);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < r->nprotected; i++)
		if (bpf_map_update_elem(fd, &r->protected[i], &one, BPF_ANY))
			return -errno;
	log_info("protected: %zu programs are never acted on", r->nprotected);
	return 0;
}

static bool pid_is_protected(struct responder *r, uint32_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	if (stat(path, &st))
		return false;
	for (size_t i = 0; i < r->nprotected; i++)
		if (r->protected[i].ino == st.st_ino && r->protected[i].dev == kernel_dev(st.st_dev))
			return true;
	return false;
}

/* ---- learned sets: files by hash, cgroups by container ---- */

static void learned_file_write(struct responder *r, const struct exec_plan *p, unsigned int gen,
			       const struct learned_file *f)
{
	int fd = sensor_map_fd(r->sensor, "enf_inodes");
	struct vgl_enf_inode_key k = { .ino = f->ino, .dev = f->dev, .gen = gen };
	struct vgl_enf_inode_val v = { .ctime_ns = f->ctime_ns,
				       .bits = exec_plan_hash_facts(p, f->hex) };

	if (fd >= 0 && v.bits && bpf_map_update_elem(fd, &k, &v, BPF_ANY))
		log_debug("enf_inodes: %s", strerror(errno));
}

/* The file of exec event e has the hash of a kill rule's list: from now
 * on the kernel knows it. */
static void learn_file(struct responder *r, const struct enriched_event *e)
{
	const struct vgl_exec *x = EV_BODY(&e->v, vgl_exec);
	struct field_ctx ctx = { .e = e, .hashes = r->hashes };
	struct learned_file *f;
	struct fval v;

	if (!r->hashes || !r->sha256_field || field_get(r->sha256_field, &ctx, 0, &v) ||
	    !exec_plan_hash_facts(r->plan, v.s))
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].ino == x->ino && r->files[i].dev == x->dev &&
		    r->files[i].ctime_ns == x->ctime_ns)
			return;
	f = &r->files[r->next_file];
	r->next_file = (r->next_file + 1) % LEARNED_FILES_MAX;
	if (r->nfiles < LEARNED_FILES_MAX)
		r->nfiles++;
	f->ino = x->ino;
	f->dev = x->dev;
	f->ctime_ns = x->ctime_ns;
	snprintf(f->hex, sizeof(f->hex), "%.64s", v.s);
	learned_file_write(r, r->plan, r->gen, f);
}

static size_t cgroup_slot(const struct responder *r, uint64_t id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ULL) >> 49;	/* 15 bits: CGROUP_SET_SIZE */

	while (r->cgroups[i] && r->cgroups[i] != id)
		i = (i + 1) % CGROUP_SET_SIZE;
	return i;
}

static void cgroup_write(struct responder *r, const struct exec_plan *p, unsigned int gen,
			 uint64_t id, const struct container_info *ci)
{
	int fd = sensor_map_fd(r->sensor, "enf_cgroups");
	struct vgl_enf_cgroup_key k = { .cgroup_id = id, .gen = gen };
	uint64_t bits = exec_plan_container_facts(p, ci);

	if (fd >= 0 && bpf_map_update_elem(fd, &k, &bits, BPF_ANY))
		log_debug("enf_cgroups: %s", strerror(errno));
}

/* Is what we know of the container final? A comparison made on metadata
 * still being read would be wrong in the kernel until the next exec. */
static bool container_settled(const struct container_info *ci)
{
	return !ci || (!ci->runc_pending && ci->meta_state != CMETA_PENDING &&
		       ci->meta_state != CMETA_WAIT_EXEC);
}

void respond_note_cgroup(struct responder *r, uint64_t cgroup_id,
			 const struct container_info *ci, bool changed)
{
	size_t i;

	if (!r || !r->cgroups || !cgroup_id || !container_settled(ci))
		return;
	i = cgroup_slot(r, cgroup_id);
	if (r->cgroups[i] && !changed)
		return;
	if (!r->cgroups[i]) {
		if (r->ncgroups == CGROUPS_MAX) {	/* forget all; the kernel's LRU ages too */
			memset(r->cgroups, 0, CGROUP_SET_SIZE * sizeof(*r->cgroups));
			r->ncgroups = 0;
			i = cgroup_slot(r, cgroup_id);
		}
		r->cgroups[i] = cgroup_id;
		r->ncgroups++;
	}
	if (r->plan && r->plan->nctrsets)
		cgroup_write(r, r->plan, r->gen, cgroup_id, ci);
}

/* Delete generation gen's entries of a map whose key has a u32 gen at off. */
static void learned_delete_gen(int fd, size_t off, unsigned int gen)
{
	uint8_t key[16], next[16];
	void *prev = NULL;
	uint32_t g;

	while (fd >= 0 && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		memcpy(&g, key + off, sizeof(g));
		if (g == gen) {
			bpf_map_delete_elem(fd, key);
			prev = NULL;	/* restart: the walk may not survive the delete */
			continue;
		}
		prev = key;
	}
}

/* Enter what was learned into generation gen, for plan p. */
static void learned_install(struct responder *r, const struct exec_plan *p, unsigned int gen)
{
	learned_delete_gen(sensor_map_fd(r->sensor, "enf_inodes"),
			   offsetof(struct vgl_enf_inode_key, gen), gen);
	learned_delete_gen(sensor_map_fd(r->sensor, "enf_cgroups"),
			   offsetof(struct vgl_enf_cgroup_key, gen), gen);
	for (size_t i = 0; i < r->nfiles; i++)
		learned_file_write(r, p, gen, &r->files[i]);
	if (!p->nctrsets || !r->container_of)
		return;
	for (size_t i = 0; i < CGROUP_SET_SIZE; i++)
		if (r->cgroups[i])
			cgroup_write(r, p, gen, r->cgroups[i],
				     r->container_of(r->container_ctx, r->cgroups[i]));
}

/* ---- the plan ---- */

static const char *how_text(const struct responder *r, const struct exec_plan_rule *pr)
{
	bool fan = r->fan && fan_deny_decides(r->fan, pr->rule->index);

	switch (pr->how) {
	case EXEC_PLAN_KERNEL:
		return fan ? "denied by fanotify where it watches, else killed in the kernel at exec"
			   : "killed in the kernel at exec";
	case EXEC_PLAN_HYBRID:
		return fan ? "denied by fanotify where it watches, killed in the kernel at exec "
			     "for part of the condition, else in userspace"
			   : "killed in the kernel at exec for part of the condition, else in userspace";
	default:
		return "killed from userspace after the alert";
	}
}

static void log_plan(const struct responder *r, const struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *rule = rs->rules[i];
		const struct exec_plan_rule *pr = exec_plan_rule_at(r->plan, rule->index);

		if (rule->action != ACT_KILL)
			continue;
		if (!pr) {
			log_info("%s kill: from userspace after the alert", rule->id);
			continue;
		}
		log_info("%s kill: %s%s%s%s", rule->id, how_text(r, pr), pr->why[0] ? " (" : "",
			 pr->why, pr->why[0] ? ")" : "");
	}
}

static int plan_install(struct responder *r, const struct ruleset *rs)
{
	struct exec_plan *plan;
	int err = exec_plan_build(rs, &plan);

	if (err)
		return err;
	for (int i = 0; i < VGL_ENF_SLOTS_MAX; i++)
		plan->set.slot_rate[i] = r->rate;
	/* write the idle generation, then flip: the kernel never sees half a plan */
	learned_install(r, plan, r->gen ^ 1);
	err = exec_plan_install(plan, r->sensor, r->gen ^ 1, r->enforce);
	if (err) {
		log_error("cannot load the kill rules into the kernel: %s", strerror(-err));
		exec_plan_free(plan);
		return err;
	}
	r->gen ^= 1;
	if (r->fan)
		fan_deny_set_plan(r->fan, plan);	/* done with the old plan on return */
	exec_plan_free(r->plan);
	r->plan = plan;
	return 0;
}

/* Start the fanotify deny thread if the plan needs watched filesystems. */
static void fan_start(struct responder *r)
{
	struct fan_deny_opts fo = {
		.agent_start_real_ns = r->start_real_ns,
		.boot_to_real_ns = r->boot_to_real_ns,
		.protected_keys = r->protected,
		.nprotected = r->nprotected,
		.cgroups_fd = sensor_map_fd(r->sensor, "enf_cgroups"),
	};

	if (!r->fan && fan_deny_open(&r->fan, r->plan, &fo))
		log_warn("fanotify deny unavailable: exec kill rules fall back to the kernel kill");
}

static int windows_resize(struct responder *r, size_t n)
{
	struct rate_window *w = calloc(n ? n : 1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	free(r->windows);
	r->windows = w;
	r->nwindows = n;
	return 0;
}

int respond_open(struct responder **out, struct sensor *s, const struct ruleset *rs,
		 const struct respond_opts *o)
{
	struct responder *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->sensor = s;
	r->enforce = o->enforce;
	r->rate = o->actions_per_sec ? o->actions_per_sec : RESPOND_DEFAULT_RATE;
	r->self = getpid();
	r->clk_tck = sysconf(_SC_CLK_TCK);
	r->boot_to_real_ns = sensor_boot_to_real_ns(s);
	r->net_opts.pin_dir = o->pin_dir;
	r->net_opts.actions_per_sec = r->rate;
	r->hashes = o->hashes;
	r->sha256_field = field_lookup("proc.exe_sha256", strlen("proc.exe_sha256"));
	r->container_of = o->container_of;
	r->container_ctx = o->container_ctx;
	r->files = calloc(LEARNED_FILES_MAX, sizeof(*r->files));
	r->cgroups = calloc(CGROUP_SET_SIZE, sizeof(*r->cgroups));
	if (!r->files || !r->cgroups) {
		respond_close(r);
		return -ENOMEM;
	}
	err = protect_load(r, o);
	if (!err)
		err = windows_resize(r, rs->n);
	if (!err)
		err = plan_install(r, rs);
	if (!err && r->enforce) {
		r->start_real_ns = boot_ns() + r->boot_to_real_ns;
		fan_start(r);
		err = netblock_open(&r->net, s, rs, &r->net_opts);
	} else if (!err) {
		/* a dry run must not leave an earlier enforcing run in force */
		netblock_unpin(o->pin_dir);
	}
	if (err) {
		respond_close(r);
		return err;
	}
	log_plan(r, rs);
	log_info("enforcement %s", r->enforce ? "on: kill and block rules act"
					      : "off: kill and block rules report what they would do");
	*out = r;
	return 0;
}

int respond_reload(struct responder *r, const struct ruleset *rs)
{
	int err = windows_resize(r, rs->n);

	if (!err)
		err = plan_install(r, rs);
	if (!err && r->enforce)
		fan_start(r);	/* the new rules may need it when the old ones did not */
	/* the first block rules of a reload need the hooks opened */
	if (!err && r->net)
		err = netblock_reload(r->net, rs);
	else if (!err && r->enforce)
		err = netblock_open(&r->net, r->sensor, rs, &r->net_opts);
	if (!err)
		log_plan(r, rs);
	return err;
}

/* ---- acting ---- */

static bool rate_ok(struct responder *r, const struct rule *rule, uint64_t now)
{
	struct rate_window *w;

	if (rule->index >= r->nwindows)
		return true;
	w = &r->windows[rule->index];
	if (now - w->window_ns >= 1000000000ULL) {
		w->window_ns = now;
		w->count = 0;
	}
	return w->count++ < r->rate;
}

/* Fields 9 (flags) and 22 (start time in clock ticks) of /proc/PID/stat. */
static int proc_stat(uint32_t pid, unsigned long *flags, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", flags, start) != 2)
		return -EIO;
	return 0;
}

/* SIGKILL the process of the event, if it is still the same process. */
static const char *kill_process(struct responder *r, const struct vgl_hdr *h)
{
	unsigned long flags;
	unsigned long long start;
	const char *result = "kill_failed";
	int pidfd = syscall(SYS_pidfd_open, h->pid, 0);

	if (pidfd < 0)
		return result;	/* gone already */
	/* the pidfd pins the pid: if /proc/PID is our process now, it stays so */
	if (!proc_stat(h->pid, &flags, &start)) {
		unsigned long long want = h->start_ns / (1000000000ULL / r->clk_tck);

		if (flags & PF_KTHREAD)
			result = "protected";
		else if (start + 1 < want || start > want + 1)
			result = "kill_failed";	/* the pid was reused */
		else if (!syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
			result = "killed";
	}
	close(pidfd);
	return result;
}

static bool never_act_on(struct responder *r, const struct vgl_hdr *h)
{
	if (h->pid == (uint32_t)r->self)
		return true;
	if (h->pid == 1 && !(h->hdr_flags & VGL_HF_IN_CHILD_PIDNS))
		return true;
	return pid_is_protected(r, h->pid);
}

static void userspace_kill(struct responder *r, const struct alert *al, const struct vgl_hdr *h,
			   struct respond_result *res)
{
	uint64_t now = boot_ns();

	res->by = "userspace";
	if (never_act_on(r, h)) {
		res->action = "protected";
		r->stats.protected++;
		return;
	}
	if (!rate_ok(r, al->rule, now)) {
		res->action = "rate_limited";
		r->stats.rate_limited++;
		return;
	}
	res->action = kill_process(r, h);
	res->latency_us = (int64_t)(boot_ns() - h->ts_ns) / 1000;
	if (!strcmp(res->action, "killed"))
		r->stats.killed++;
	else if (!strcmp(res->action, "protected"))
		r->stats.protected++;
	else
		r->stats.kill_failed++;
}

/* What the kernel (or the fanotify thread) already did, from the header. */
static void kernel_result(struct responder *r, const struct vgl_hdr *h, struct respond_result *res)
{
	res->by = h->hdr_flags & VGL_HF_DENIED ? "fanotify" : "kernel";
	res->latency_us = 0;	/* before the event was even reported */
	if (h->hdr_flags & VGL_HF_KILLED) {
		res->action = "killed";
		r->stats.killed++;
	} else if (h->hdr_flags & VGL_HF_DENIED) {
		res->action = "denied";
		r->stats.denied++;
	} else if (h->hdr_flags & VGL_HF_BLOCKED) {
		res->action = "blocked";
		r->stats.blocked++;
	} else if (h->hdr_flags & VGL_HF_KILL_FAILED) {
		res->action = "kill_failed";
		r->stats.kill_failed++;
	} else if (h->hdr_flags & VGL_HF_RATE_LIMITED) {
		res->action = "rate_limited";
		r->stats.rate_limited++;
	} else {
		res->action = "protected";
		r->stats.protected++;
	}
}

void respond_alert(struct responder *r, const struct alert *al, const struct enriched_event *e,
		   struct respond_result *res)
{
	const struct vgl_hdr *h = e->v.hdr;
	const struct rule *rule = al->rule;

	res->by = NULL;
	res->latency_us = -1;
	if (rule->action == ACT_ALERT) {
		res->action = "alerted";
		return;
	}
	if (h->enforce_rule && h->enforce_rule == rule->index + 1) {
		kernel_result(r, h, res);
		return;
	}
	if (!r || !r->enforce) {
		res->action = rule->action == ACT_KILL ? "would_kill" : "would_block";
		return;
	}
	if (rule->action == ACT_KILL) {
		const struct exec_plan_rule *pr = exec_plan_rule_at(r->plan, rule->index);

		/* before the kill: once the process is gone its parent may run
		 * the file again at once, and the kernel must know it by then */
		if (pr && pr->learns_hashes && h->type == VGL_EV_EXEC)
			learn_file(r, e);
		userspace_kill(r, al, h, res);
		return;
	}
	/* a block rule on an event the hooks did not refuse */
	res->action = r->net && netblock_enforces(r->net, rule->index) ? "not_blocked"
									: "block_unsupported";
}

int respond_drain(struct responder *r, sensor_record_fn fn, void *ctx)
{
	return r && r->fan ? fan_deny_drain(r->fan, fn, ctx) : 0;
}

void respond_note_container(struct responder *r, const char *rootfs, uint64_t start_real_ns)
{
	if (r && r->fan && rootfs)
		fan_deny_watch_container(r->fan, rootfs, start_real_ns);
}

const struct respond_stats *respond_stats(const struct responder *r)
{
	return &r->stats;
}

void respond_close(struct responder *r)
{
	if (!r)
		return;
	fan_deny_close(r->fan);
	netblock_close(r->net);
	if (r->sensor && r->plan) {
		/* stop killing: vigil's rules must not outlive it */
		struct exec_plan none = { 0 };

		exec_plan_install(&none, r->sensor, r->gen ^ 1, false);
	}
	exec_plan_free(r->plan);
	free(r->windows);
	free(r->files);
	free(r->cgroups);
	free(r);
}
