// SPDX-License-Identifier: GPL-2.0
/*
 * incident.c - see incident.h. The event thread's half: grouping alerts,
 * copying what a bundle needs, batching the events of open incidents, and
 * the bounded queue to the worker (bundle.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "forensics/bundle.h"
#include "forensics/retention.h"
#include "log.h"
#include "sensor/event_table.h"

#define BATCH_BYTES	(256u << 10)	/* events of one incident handed over together */
#define BATCH_AGE_NS	200000000ULL	/* ... or once the oldest is this old */
#define SEEN_SLOTS	4096		/* binaries already captured (capture_new_execs) */
#define NS		1000000000ULL

struct open_incident {
	bool used;
	char id[INCIDENT_ID_LEN];
	bool container;
	uint64_t cgroup_id;
	uint32_t root_pid;
	uint64_t root_start_ns;
	uint64_t last_alert_ns;		/* boot clock */
	uint64_t collect_until;		/* events kept until then */
	uint64_t close_at;		/* joinable until then */
	uint32_t events_after;
	struct blob batch;
	uint64_t batch_first_ns;
	uint32_t dropped;
};

struct seen_exe {
	uint64_t ino, ctime_ns;
	uint32_t dev;
};

struct incidents {
	struct incidents_opts o;
	char dir[PATH_MAX];
	char path[PATH_MAX + INCIDENT_ID_LEN];	/* returned by incidents_on_alert */
	struct open_incident *open;
	uint32_t nopen, ncollecting;
	uint64_t next_check;		/* boot clock: earliest collect_until/close_at */
	uint64_t rate_start;
	uint32_t rate_count;
	struct seen_exe *seen;
	/* the event that just opened an incident: its snapshot holds it already */
	const struct vgl_hdr *in_snapshot;
	struct incidents_stats st;
	/* the queue, shared with the worker */
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	struct job *head, *tail;
	size_t queued;
	bool stop, busy;
	pthread_t thread;
	bool started;
	struct worker w;
};

/* ---- queue ---- */

static void enqueue(struct incidents *inc, struct job *j)
{
	pthread_mutex_lock(&inc->lock);
	/* a close is tiny and bounded by the incidents: never dropped */
	if (j->kind != JOB_CLOSE && inc->queued + j->cost > inc->o.queue_bytes) {
		inc->st.jobs_dropped++;
		if (j->kind == JOB_EVENTS || j->kind == JOB_OPEN)
			inc->st.events_dropped += j->recs.count;
		pthread_mutex_unlock(&inc->lock);
		job_free(j);
		return;
	}
	inc->queued += j->cost;
	if (inc->tail)
		inc->tail->next = j;
	else
		inc->head = j;
	inc->tail = j;
	pthread_cond_signal(&inc->wake);
	pthread_mutex_unlock(&inc->lock);
}

static void *worker_main(void *arg)
{
	struct incidents *inc = arg;

	pthread_mutex_lock(&inc->lock);
	for (;;) {
		struct job *j = inc->head;

		if (!j) {
			if (inc->stop)
				break;
			pthread_cond_broadcast(&inc->idle);
			pthread_cond_wait(&inc->wake, &inc->lock);
			continue;
		}
		inc->head = j->next;
		if (!inc->head)
			inc->tail = NULL;
		inc->queued -= j->cost;
		inc->busy = true;
		pthread_mutex_unlock(&inc->lock);
		worker_handle(&inc->w, j);
		pthread_mutex_lock(&inc->lock);
		inc->busy = false;
	}
	pthread_mutex_unlock(&inc->lock);
	worker_close_all(&inc->w);
	return NULL;
}

static struct job *job_new(enum job_kind kind, const char *id, size_t extra)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->kind = kind;
	j->fd = -1;
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->cost = sizeof(*j) + extra;
	return j;
}

/* ---- setup ---- */

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static void settle_opts(struct incidents_opts *o)
{
#define DEF(field, value) do { if (!o->field) o->field = (value); } while (0)
	DEF(dir, INCIDENTS_DIR);
	DEF(min_severity, INCIDENT_SEVERITY(SEV_HIGH));
	DEF(window_ns, 120 * NS);
	DEF(before_ns, 60 * NS);
	DEF(after_ns, 30 * NS);
	DEF(max_open, 32);
	DEF(max_new_per_min, 30);
	DEF(max_alerts, 1000);
	DEF(max_events_after, 50000);
	DEF(max_incident_bytes, 64ULL << 20);
	DEF(capture_file_max, 32ULL << 20);
	DEF(queue_bytes, 64ULL << 20);
	DEF(max_age_ns, 7 * 24 * 3600 * NS);
	DEF(max_total_bytes, 1ULL << 30);
	DEF(boot_to_real_ns, clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	DEF(proc_root, "/proc");
#undef DEF
}

/* mkdir -p with mode 0700 for what it creates; refuses a symlinked leaf. */
static int make_private_dir(const char *dir)
{
	char tmp[PATH_MAX];
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(tmp, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* evidence is root's alone, whatever the directory was created with */
	return chmod(tmp, 0700) ? -errno : 0;
}

struct incidents *incidents_new(const struct incidents_opts *opts)
{
	struct incidents *inc = calloc(1, sizeof(*inc));
	int err;

	if (!inc)
		return NULL;
	if (opts)
		inc->o = *opts;
	settle_opts(&inc->o);
	/* room for <dir>/<id>/captures/<sha256>.zst in every path built later */
	if (strlen(inc->o.dir) > PATH_MAX - 160) {
		log_error("incidents directory '%.64s...' is too long", inc->o.dir);
		err = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(inc->dir, sizeof(inc->dir), "%s", inc->o.dir);
	inc->o.dir = inc->dir;
	inc->open = calloc(inc->o.max_open, sizeof(*inc->open));
	inc->seen = inc->o.capture_new_execs ? calloc(SEEN_SLOTS, sizeof(*inc->seen)) : NULL;
	if (!inc->open || (inc->o.capture_new_execs && !inc->seen)) {
		err = -ENOMEM;
		goto fail;
	}
	if (snprintf(inc->w.store, sizeof(inc->w.store), "%s/%s", inc->dir, RETENTION_STORE) >=
	    (int)sizeof(inc->w.store)) {
		err = -ENAMETOOLONG;
		goto fail;
	}
	if ((err = make_private_dir(inc->dir)) || (err = make_private_dir(inc->w.store))) {
		log_error("cannot create incidents directory '%s': %s", inc->dir, strerror(-err));
		goto fail;
	}
	pthread_mutex_init(&inc->lock, NULL);
	pthread_cond_init(&inc->wake, NULL);
	pthread_cond_init(&inc->idle, NULL);
	inc->w.o = &inc->o;
	inc->w.st = &inc->st;
	inc->w.lock = &inc->lock;
	worker_retention(&inc->w);
	if ((err = -pthread_create(&inc->thread, NULL, worker_main, inc))) {
		log_error("cannot start the incidents writer: %s", strerror(-err));
		goto fail;
	}
	inc->started = true;
	return inc;
fail:
	free(inc->open);
	free(inc->seen);
	free(inc);
	errno = -err;
	return NULL;
}

/* ---- grouping ---- */

static bool session_boundary(const struct proc_entry *p)
{
	static const char *const names[] = {
		"systemd", "init", "sshd", "cron", "crond", "login", "agetty", "dockerd",
		"containerd", "runc",
	};

	if (p->pid <= 1 || !strncmp(p->comm, "containerd-shim", 15))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(p->comm, names[i]))
			return true;
	return false;
}

/* The host process tree e belongs to: its topmost ancestor below a session
 * boundary (or the oldest ancestor known). */
static void tree_root(const struct enriched_event *e, uint32_t *pid, uint64_t *start_ns)
{
	const struct proc_entry *chain[1 + FORMAT_ANCESTORS_MAX];
	int n = 0;

	*pid = e->v.hdr->pid;
	*start_ns = e->v.hdr->start_ns;
	if (!e->proc)
		return;
	chain[n++] = e->proc;
	for (int i = 0; i < e->nr_anc; i++)
		chain[n++] = e->anc[i];
	for (int i = 0; i < n; i++) {
		if (session_boundary(chain[i]) && i > 0)
			break;
		*pid = chain[i]->pid;
		*start_ns = chain[i]->start_ns;
		if (chain[i]->ppid <= 1)
			break;
	}
}

static bool in_host_tree(const struct open_incident *oi, const struct enriched_event *e)
{
	if (e->v.hdr->pid == oi->root_pid)
		return true;
	for (int i = 0; i < e->nr_anc; i++)
		if (e->anc[i]->pid == oi->root_pid &&
		    (!oi->root_start_ns || !e->anc[i]->start_ns ||
		     e->anc[i]->start_ns == oi->root_start_ns))
			return true;
	return false;
}

static bool is_container_event(const struct enriched_event *e)
{
	return container_info_is_container(e->ctr);
}

static struct open_incident *find_open(struct incidents *inc, const struct enriched_event *e)
{
	bool ctr = is_container_event(e);

	for (uint32_t i = 0; i < inc->o.max_open; i++) {
		struct open_incident *oi = &inc->open[i];

		if (!oi->used || oi->container != ctr)
			continue;
		if (ctr ? oi->cgroup_id == e->v.hdr->cgroup_id : in_host_tree(oi, e))
			return oi;
	}
	return NULL;
}

/* ---- events after the alert ---- */

static void flush_batch(struct incidents *inc, struct open_incident *oi)
{
	struct job *j;

	if (!oi->batch.count && !oi->dropped)
		return;
	j = job_new(JOB_EVENTS, oi->id, oi->batch.len);
	if (!j) {
		inc->st.events_dropped += oi->batch.count;
		oi->batch.len = oi->batch.count = 0;
		return;
	}
	j->recs = oi->batch;
	j->dropped = oi->dropped;
	memset(&oi->batch, 0, sizeof(oi->batch));
	oi->dropped = 0;
	enqueue(inc, j);
}

static void record_after(struct incidents *inc, struct open_incident *oi,
			 const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;

	if (oi->events_after >= inc->o.max_events_after) {
		inc->st.events_dropped++;
		oi->dropped++;
		return;
	}
	if (!oi->batch.data) {
		oi->batch.data = malloc(BATCH_BYTES);
		oi->batch.cap = oi->batch.data ? BATCH_BYTES : 0;
	}
	if (!blob_append(&oi->batch, h, h->size, h->ts_ns)) {
		flush_batch(inc, oi);
		oi->batch.data = malloc(BATCH_BYTES);
		oi->batch.cap = oi->batch.data ? BATCH_BYTES : 0;
		if (!blob_append(&oi->batch, h, h->size, h->ts_ns)) {
			inc->st.events_dropped++;
			return;
		}
	}
	if (oi->batch.count == 1)
		oi->batch_first_ns = h->ts_ns;
	oi->events_after++;
	inc->st.events_after++;
}

static void close_incident(struct incidents *inc, struct open_incident *oi)
{
	struct job *j;

	flush_batch(inc, oi);
	free(oi->batch.data);
	j = job_new(JOB_CLOSE, oi->id, 0);
	if (j)
		enqueue(inc, j);
	if (oi->collect_until)
		inc->ncollecting--;
	memset(oi, 0, sizeof(*oi));
	inc->nopen--;
}

/* Close what ended by now_ns, stop collecting for what is only joinable. */
static void expire(struct incidents *inc, uint64_t now_ns)
{
	inc->next_check = UINT64_MAX;
	for (uint32_t i = 0; i < inc->o.max_open; i++) {
		struct open_incident *oi = &inc->open[i];

		if (!oi->used)
			continue;
		if (now_ns > oi->close_at) {
			close_incident(inc, oi);
			continue;
		}
		if (oi->collect_until && now_ns > oi->collect_until) {
			flush_batch(inc, oi);
			oi->collect_until = 0;
			inc->ncollecting--;
		}
		if (oi->collect_until && oi->collect_until < inc->next_check)
			inc->next_check = oi->collect_until;
		if (oi->close_at < inc->next_check)
			inc->next_check = oi->close_at;
	}
}

/* capture_new_execs: a binary not seen before (by dev, inode, ctime). */
static bool exe_is_new(struct incidents *inc, const struct vgl_exec *x)
{
	struct seen_exe *s = &inc->seen[(x->ino * 0x9e3779b97f4a7c15ULL ^ x->dev) % SEEN_SLOTS];

	if (s->ino == x->ino && s->dev == x->dev && s->ctime_ns == x->ctime_ns)
		return false;
	s->ino = x->ino;
	s->dev = x->dev;
	s->ctime_ns = x->ctime_ns;
	return true;
}

static void queue_exe_capture(struct incidents *inc, const char *id,
			      const struct enriched_event *e);

void incidents_on_event(struct incidents *inc, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;

	if (inc->seen && h->type == VGL_EV_EXEC && h->ret == 0 &&
	    exe_is_new(inc, EV_BODY(&e->v, vgl_exec)))
		queue_exe_capture(inc, "", e);
	if (!inc->nopen)
		return;
	if (h->ts_ns > inc->next_check)
		expire(inc, h->ts_ns);
	if (h == inc->in_snapshot) {
		inc->in_snapshot = NULL;
		return;
	}
	if (inc->ncollecting) {
		struct open_incident *oi = find_open(inc, e);

		if (oi && oi->collect_until)
			record_after(inc, oi, e);
	}
}

void incidents_tick(struct incidents *inc, uint64_t now_ns)
{
	if (!inc->nopen)
		return;
	if (now_ns > inc->next_check)
		expire(inc, now_ns);
	for (uint32_t i = 0; i < inc->o.max_open; i++) {
		struct open_incident *oi = &inc->open[i];

		if (oi->used && oi->batch.count && now_ns > oi->batch_first_ns + BATCH_AGE_NS)
			flush_batch(inc, oi);
	}
}

/* ---- alerts ---- */

static char *alert_json(const struct alert *a, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	struct json j;
	char ts[64];

	json_init(&j);
	format_time(ts, sizeof(ts), e->realtime_ns);
	json_obj_begin(&j);
	json_kv_str(&j, "time", ts);
	json_key(&j, "rule");
	json_obj_begin(&j);
	json_kv_str(&j, "id", a->rule->id);
	json_kv_str(&j, "name", a->rule->name);
	json_kv_str(&j, "severity", severity_name(a->rule->severity));
	json_obj_end(&j);
	json_kv_str(&j, "message", a->message);
	json_kv_str(&j, "action", a->action ? a->action : "alerted");
	json_kv_str(&j, "event_type", event_info(h->type)->name);
	json_kv_u64(&j, "pid", h->pid);
	json_kv_u64(&j, "ppid", h->ppid);
	json_kv_strn(&j, "comm", h->comm, strnlen(h->comm, sizeof(h->comm)));
	json_kv_str(&j, "exe", e->proc ? e->proc->exe : "");
	json_kv_str(&j, "args", e->proc ? e->proc->args : "");
	json_kv_u64(&j, "uid", h->uid);
	json_kv_u64(&j, "ktime_ns", h->ts_ns);
	json_obj_end(&j);
	if (j.oom) {
		json_free(&j);
		return NULL;
	}
	return j.buf;	/* the job owns it */
}

static void fill_alert_job(struct job *j, const struct alert *a, const struct enriched_event *e)
{
	j->real_ns = e->realtime_ns;
	j->alert_json = alert_json(a, e);
	if (e->proc)
		j->procs[j->nprocs++] = *e->proc;
	for (int i = 0; i < e->nr_anc && j->nprocs < 1 + FORMAT_ANCESTORS_MAX; i++)
		j->procs[j->nprocs++] = *e->anc[i];
	j->cost += j->alert_json ? strlen(j->alert_json) : 0;
}

/* Open /proc/PID/exe now, while the process lives: the fd keeps a memfd or
 * a deleted file readable for the worker. */
static void queue_exe_capture(struct incidents *inc, const char *id,
			      const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	const struct vgl_str *path = &e->v.strs[VGL_EXEC_S_PATH];
	char proc_exe[64];
	struct job *j = job_new(JOB_CAPTURE, id, 0);

	if (!j)
		return;
	snprintf(proc_exe, sizeof(proc_exe), "%s/%u/exe", inc->o.proc_root, h->pid);
	j->fd = open(proc_exe, O_RDONLY | O_CLOEXEC);
	if (j->fd < 0 && path->len && path->ptr[0] == '/' && !is_container_event(e)) {
		/* the process is gone; the file may not be (host paths only) */
		snprintf(j->path, sizeof(j->path), "%.*s", (int)path->len, path->ptr);
		j->fd = open(j->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	}
	snprintf(j->path, sizeof(j->path), "%.*s", (int)path->len, path->ptr);
	j->real_ns = e->realtime_ns;
	j->pid = h->pid;
	j->uid = h->uid;
	snprintf(j->comm, sizeof(j->comm), "%.*s", (int)sizeof(h->comm), h->comm);
	if (j->fd < 0) {
		/* still reported in the bundle as gone */
		j->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	enqueue(inc, j);
}

static void make_id(char *id, uint64_t real_ns)
{
	time_t sec = real_ns / NS;
	uint32_t rnd = 0;
	struct tm tm;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)(real_ns ^ (real_ns >> 32) ^ (uint64_t)getpid() << 16);
	gmtime_r(&sec, &tm);
	snprintf(id, INCIDENT_ID_LEN, "%04u%02u%02uT%02u%02u%02uZ-%08x",
		 (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1) % 100,
		 (unsigned)tm.tm_mday % 100, (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
		 (unsigned)tm.tm_sec % 100, rnd);
}

static size_t blob_need(size_t size)
{
	return 16 + ((size + 7) & ~(size_t)7);
}

struct snap_copy {
	struct blob *b;
	size_t skip;		/* blob bytes of the oldest records left out */
	uint32_t skipped;
	size_t need;		/* sizing pass: blob bytes of every record */
};

static bool snap_size(void *ctx, const void *data, size_t size, uint64_t ts_ns)
{
	((struct snap_copy *)ctx)->need += blob_need(size);
	return true;
}

static bool snap_copy(void *ctx, const void *data, size_t size, uint64_t ts_ns)
{
	struct snap_copy *c = ctx;

	if (c->skip) {
		c->skip = c->skip > blob_need(size) ? c->skip - blob_need(size) : 0;
		c->skipped++;
		return true;
	}
	return blob_append(c->b, data, size, ts_ns);
}

/* The recorder's records since the window start; when the queue has no room
 * for all of them, the newest that fit. */
static void copy_before(struct incidents *inc, struct job *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	uint64_t since = h->ts_ns > inc->o.before_ns ? h->ts_ns - inc->o.before_ns : 0;
	struct snap_copy c = { &j->recs };
	size_t room;

	if (!inc->o.recorder)
		return;
	recorder_snapshot(inc->o.recorder, h->cgroup_id, j->container, since, snap_size, &c);
	pthread_mutex_lock(&inc->lock);
	room = inc->o.queue_bytes > inc->queued + j->cost ? inc->o.queue_bytes - inc->queued - j->cost
							    : 0;
	pthread_mutex_unlock(&inc->lock);
	c.skip = c.need > room ? c.need - room : 0;
	if (c.need - c.skip == 0)
		goto out;
	j->recs.data = malloc(c.need - c.skip);
	if (!j->recs.data) {
		c.skipped = 0;
		recorder_snapshot(inc->o.recorder, h->cgroup_id, j->container, since, snap_size,
				  &(struct snap_copy){});
		goto out;
	}
	j->recs.cap = c.need - c.skip;
	recorder_snapshot(inc->o.recorder, h->cgroup_id, j->container, since, snap_copy, &c);
	j->cost += j->recs.len;
out:
	j->before_truncated = c.skipped;
}

/* Room for a new incident: the rate limit, and a free slot (the incident
 * that would close soonest gives its slot up). */
static struct open_incident *new_slot(struct incidents *inc, uint64_t now_ns)
{
	struct open_incident *soonest = NULL;

	if (now_ns > inc->rate_start + 60 * NS) {
		inc->rate_start = now_ns;
		inc->rate_count = 0;
	}
	if (inc->rate_count >= inc->o.max_new_per_min)
		return NULL;
	for (uint32_t i = 0; i < inc->o.max_open; i++) {
		if (!inc->open[i].used)
			return &inc->open[i];
		if (!soonest || inc->open[i].close_at < soonest->close_at)
			soonest = &inc->open[i];
	}
	close_incident(inc, soonest);
	return soonest;
}

static void extend(struct incidents *inc, struct open_incident *oi, uint64_t ts)
{
	oi->last_alert_ns = ts;
	if (!oi->collect_until)
		inc->ncollecting++;
	oi->collect_until = ts + inc->o.after_ns;
	oi->close_at = ts + (inc->o.window_ns > inc->o.after_ns ? inc->o.window_ns : inc->o.after_ns);
	if (oi->collect_until < inc->next_check)
		inc->next_check = oi->collect_until;
}

static struct open_incident *open_new(struct incidents *inc, const struct alert *a,
				      const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	struct open_incident *oi = new_slot(inc, h->ts_ns);
	struct job *j;

	if (!oi)
		return NULL;
	oi->used = true;
	inc->nopen++;
	inc->rate_count++;
	make_id(oi->id, e->realtime_ns);
	oi->container = is_container_event(e);
	oi->cgroup_id = h->cgroup_id;
	if (!oi->container)
		tree_root(e, &oi->root_pid, &oi->root_start_ns);
	extend(inc, oi, h->ts_ns);
	inc->st.opened++;
	if (!(j = job_new(JOB_OPEN, oi->id, 0)))
		return oi;
	j->container = oi->container;
	j->cgroup_id = oi->cgroup_id;
	j->root_pid = oi->root_pid;
	j->root_start_ns = oi->root_start_ns;
	if (e->ctr) {
		j->has_ctr = true;
		j->ctr = *e->ctr;
		j->ctr.meta = NULL;
		if (e->ctr->meta) {
			j->has_meta = true;
			j->meta = *e->ctr->meta;
		}
	}
	fill_alert_job(j, a, e);
	copy_before(inc, j, e);
	if (inc->o.recorder)
		inc->in_snapshot = h;
	enqueue(inc, j);
	return oi;
}

const char *incidents_on_alert(struct incidents *inc, const struct alert *a,
			       const struct enriched_event *e, const char **path)
{
	const struct vgl_hdr *h = e->v.hdr;
	struct open_incident *oi;

	if (INCIDENT_SEVERITY(a->rule->severity) < inc->o.min_severity) {
		inc->st.below_severity++;
		return NULL;
	}
	if (inc->nopen && h->ts_ns > inc->next_check)
		expire(inc, h->ts_ns);
	oi = find_open(inc, e);
	if (oi) {
		struct job *j = job_new(JOB_ALERT, oi->id, 0);

		extend(inc, oi, h->ts_ns);
		inc->st.joined++;
		if (j) {
			fill_alert_job(j, a, e);
			enqueue(inc, j);
		}
	} else if (!(oi = open_new(inc, a, e))) {
		inc->st.rate_limited++;
		return NULL;
	}
	if (h->type == VGL_EV_EXEC && h->ret == 0)
		queue_exe_capture(inc, oi->id, e);
	snprintf(inc->path, sizeof(inc->path), "%s/%s", inc->dir, oi->id);
	if (path)
		*path = inc->path;
	return oi->id;
}

bool incidents_wait_idle(struct incidents *inc, unsigned int timeout_ms)
{
	struct timespec until;
	bool idle;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&inc->lock);
	while ((inc->head || inc->busy) &&
	       pthread_cond_timedwait(&inc->idle, &inc->lock, &until) == 0)
		;
	idle = !inc->head && !inc->busy;
	pthread_mutex_unlock(&inc->lock);
	return idle;
}

void incidents_get_stats(struct incidents *inc, struct incidents_stats *s)
{
	pthread_mutex_lock(&inc->lock);
	*s = inc->st;
	pthread_mutex_unlock(&inc->lock);
}

void incidents_free(struct incidents *inc)
{
	if (!inc)
		return;
	for (uint32_t i = 0; i < inc->o.max_open; i++)
		if (inc->open[i].used)
			close_incident(inc, &inc->open[i]);
	if (inc->started) {
		pthread_mutex_lock(&inc->lock);
		inc->stop = true;
		pthread_cond_signal(&inc->wake);
		pthread_mutex_unlock(&inc->lock);
		pthread_join(inc->thread, NULL);
	}
	pthread_mutex_destroy(&inc->lock);
	pthread_cond_destroy(&inc->wake);
	pthread_cond_destroy(&inc->idle);
	free(inc->open);
	free(inc->seen);
	free(inc);
}
