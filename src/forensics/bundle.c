// SPDX-License-Identifier: GPL-2.0
/*
 * bundle.c - the incidents worker: turns jobs into bundle files (see
 * incident.h for the layout). Runs in its own thread; it owns the bundles
 * of open incidents and touches nothing of the event thread's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "forensics/bundle.h"
#include "forensics/capture.h"
#include "forensics/retention.h"
#include "log.h"
#include "output/json.h"
#include "sensor/event_table.h"

#define BUNDLE_PROCS_MAX	512
#define BUNDLE_CAPTURES_MAX	256
#define BUNDLE_WRITTEN_MAX	256
#define ROOT_WALK_MAX		32	/* parent links followed to find a tree root */

struct pnode {
	struct proc_entry pe;
	uint64_t first_ns;		/* boot clock: first seen in the incident */
	bool exited;
	int32_t exit_code, exit_signal;
};

struct cap_entry {
	const char *kind;		/* "executed" or "written" */
	struct capture_result r;
	char path[PROC_EXE_MAX];
	uint32_t pid, uid;
	char comm[PROC_COMM_MAX];
	uint64_t real_ns;
};

struct written {
	char path[PROC_EXE_MAX];
	char ops[64];			/* "open_write,chmod" */
	uint32_t pid, uid;
	uint64_t start_ns;
	char comm[PROC_COMM_MAX];
	uint64_t real_ns;		/* last write */
	char sha256[65];		/* content last captured, "" if none */
};

struct bundle {
	struct bundle *next;
	char id[INCIDENT_ID_LEN];
	char dir[PATH_MAX];
	bool container;
	uint64_t cgroup_id;
	uint32_t root_pid;
	uint64_t root_start_ns;
	bool has_ctr;
	struct container_info ctr;
	struct container_meta meta;
	uint64_t first_real_ns, last_real_ns;
	struct json alerts;		/* the alert objects, comma-joined */
	uint32_t nalerts, alerts_omitted;
	struct pnode *procs;
	size_t nprocs;
	struct cap_entry caps[BUNDLE_CAPTURES_MAX];
	size_t ncaps;
	struct written written[BUNDLE_WRITTEN_MAX];
	size_t nwritten;
	uint64_t events_before, events_after, events_dropped, before_truncated, connections;
	uint64_t bytes;			/* timeline, network and captures written */
	uint64_t capture_bytes;		/* content captured (uncompressed) */
	bool over_budget;
	struct json line;
};

/* ---- record runs ---- */

bool blob_append(struct blob *b, const void *rec, size_t size, uint64_t ts_ns)
{
	size_t need = 16 + ((size + 7) & ~(size_t)7);
	uint32_t sz = size, zero = 0;

	if (b->len + need > b->cap)
		return false;
	memcpy(b->data + b->len, &ts_ns, 8);
	memcpy(b->data + b->len + 8, &sz, 4);
	memcpy(b->data + b->len + 12, &zero, 4);
	memcpy(b->data + b->len + 16, rec, size);
	b->len += need;
	b->count++;
	return true;
}

bool blob_next(const struct blob *b, size_t *off, const void **rec, uint32_t *size, uint64_t *ts)
{
	if (*off + 16 > b->len)
		return false;
	memcpy(ts, b->data + *off, 8);
	memcpy(size, b->data + *off + 8, 4);
	*rec = b->data + *off + 16;
	*off += 16 + ((*size + 7) & ~(size_t)7);
	return *off <= b->len;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->kind == JOB_CAPTURE && j->fd >= 0)
		close(j->fd);
	free(j->alert_json);
	free(j->recs.data);
	free(j);
}

static void count(struct worker *w, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(w->lock);
	*field += n;
	pthread_mutex_unlock(w->lock);
}

/* ---- files ---- */

/* dst = a/b; false (dst "") when it does not fit. incidents_new keeps the
 * directory short enough that the paths built here always fit. */
static bool path_join(char *dst, size_t n, const char *a, const char *b)
{
	int len = snprintf(dst, n, "%s/%s", a, b);

	if (len < 0 || (size_t)len >= n) {
		dst[0] = '\0';
		return false;
	}
	return true;
}

static int write_file_atomic(const char *dir, const char *name, const char *buf, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, err = 0;

	char tmpname[64];

	snprintf(tmpname, sizeof(tmpname), ".%s.tmp", name);
	if (!path_join(tmp, sizeof(tmp), dir, tmpname) || !path_join(dst, sizeof(dst), dir, name))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		err = -EIO;
	close(fd);
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Append to dir/name (created 0600). Counted against the bundle's bytes. */
static int append_file(struct worker *w, struct bundle *b, const char *name, const char *buf,
		       size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (!path_join(path, sizeof(path), b->dir, name))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	if (n != (ssize_t)len)
		return -EIO;
	b->bytes += len;
	w->disk_bytes += len;
	return 0;
}

/* Room for len more bytes of this bundle, within its and the dir's limits. */
static bool room_for(struct worker *w, struct bundle *b, uint64_t len)
{
	if (b->bytes + len > w->o->max_incident_bytes)
		return false;
	if (w->disk_bytes + len > w->o->max_total_bytes) {
		worker_retention_soon(w, len);
		if (w->disk_bytes + len > w->o->max_total_bytes)
			return false;
	}
	return true;
}

/* ---- process tree ---- */

static struct pnode *pnode_find(struct bundle *b, uint32_t pid)
{
	/* newest first: a reused pid names its latest process */
	for (size_t i = b->nprocs; i-- > 0;)
		if (b->procs[i].pe.pid == pid)
			return &b->procs[i];
	return NULL;
}

static struct pnode *pnode_get(struct bundle *b, uint32_t pid, uint64_t start_ns, uint64_t ts)
{
	struct pnode *p = pnode_find(b, pid);

	if (p && (!start_ns || !p->pe.start_ns || p->pe.start_ns == start_ns)) {
		if (!p->pe.start_ns)
			p->pe.start_ns = start_ns;
		return p;
	}
	if (b->nprocs == BUNDLE_PROCS_MAX)
		return NULL;
	p = &b->procs[b->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pe.pid = pid;
	p->pe.start_ns = start_ns;
	p->first_ns = ts;
	return p;
}

static void pnode_merge(struct bundle *b, const struct proc_entry *pe)
{
	struct pnode *p = pnode_get(b, pe->pid, pe->start_ns, 0);

	if (!p)
		return;
	/* what the process table knew is at least as good as the records */
	if (pe->exe[0] || !p->pe.exe[0]) {
		uint64_t start = p->pe.start_ns ? p->pe.start_ns : pe->start_ns;

		p->pe = *pe;
		p->pe.start_ns = start;
	}
}

static void copy_n(char *dst, size_t dst_len, const struct vgl_str *s)
{
	size_t n = s->len < dst_len - 1 ? s->len : dst_len - 1;

	memcpy(dst, s->ptr, n);
	dst[n] = '\0';
}

/* Keep the tree current from lifecycle records. */
static void tree_note(struct bundle *b, const struct event_view *v, uint64_t ts)
{
	const struct vgl_hdr *h = v->hdr;
	struct pnode *p;

	if (h->type == VGL_EV_FORK) {
		const struct vgl_fork *f = EV_BODY(v, vgl_fork);
		struct pnode *parent = pnode_find(b, h->pid);

		if ((p = pnode_get(b, f->child_pid, f->child_start_ns, ts))) {
			if (parent && !p->pe.exe[0])
				p->pe = parent->pe;
			p->pe.pid = f->child_pid;
			p->pe.ppid = h->pid;
			p->pe.start_ns = f->child_start_ns;
			if (!p->pe.comm[0])
				memcpy(p->pe.comm, h->comm, sizeof(h->comm) < sizeof(p->pe.comm) ?
				       sizeof(h->comm) : sizeof(p->pe.comm));
		}
		return;
	}
	if (!(p = pnode_get(b, h->pid, h->start_ns, ts)))
		return;
	p->pe.ppid = h->ppid;
	p->pe.uid = h->uid;
	p->pe.cgroup_id = h->cgroup_id;
	snprintf(p->pe.comm, sizeof(p->pe.comm), "%.*s", (int)sizeof(h->comm), h->comm);
	if (h->type == VGL_EV_EXEC && h->ret == 0) {
		const struct vgl_str *args = &v->strs[VGL_EXEC_S_ARGS];

		copy_n(p->pe.exe, sizeof(p->pe.exe), &v->strs[VGL_EXEC_S_PATH]);
		copy_n(p->pe.cwd, sizeof(p->pe.cwd), &v->strs[VGL_EXEC_S_CWD]);
		proc_args_join(p->pe.args, sizeof(p->pe.args), args->ptr, args->len);
	} else if (h->type == VGL_EV_EXIT) {
		const struct vgl_exit *x = EV_BODY(v, vgl_exit);

		p->exited = true;
		p->exit_code = x->code;
		p->exit_signal = x->signal;
	}
}

/* ---- captures ---- */

static void add_capture(struct bundle *b, const char *kind, const struct capture_result *r,
			const char *path, uint32_t pid, uint32_t uid, const char *comm,
			uint64_t real_ns)
{
	struct cap_entry *c;

	for (size_t i = 0; i < b->ncaps; i++)
		if (!strcmp(b->caps[i].kind, kind) && b->caps[i].r.status == r->status &&
		    !strcmp(b->caps[i].r.sha256, r->sha256) && !strcmp(b->caps[i].path, path))
			return;	/* captured again at close, unchanged */
	if (b->ncaps == BUNDLE_CAPTURES_MAX)
		return;
	c = &b->caps[b->ncaps++];
	c->kind = kind;
	c->r = *r;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->pid = pid;
	c->uid = uid;
	snprintf(c->comm, sizeof(c->comm), "%s", comm);
	c->real_ns = real_ns;
}

/* Capture fd into the store, and link it into the bundle when there is one. */
static void capture_into(struct worker *w, struct bundle *b, int fd, const char *kind,
			 const char *path, uint32_t pid, uint32_t uid, const char *comm,
			 uint64_t real_ns, struct capture_result *r)
{
	uint64_t max = w->o->capture_file_max;
	char dest[PATH_MAX];

	if (b) {
		uint64_t left = w->o->max_incident_bytes > b->bytes ?
				w->o->max_incident_bytes - b->bytes : 0;

		max = left < max ? left : max;
	}
	if (w->disk_bytes + max > w->o->max_total_bytes)
		worker_retention_soon(w, max);
	if (w->disk_bytes >= w->o->max_total_bytes)
		max = 0;
	else if (w->disk_bytes + max > w->o->max_total_bytes)
		max = w->o->max_total_bytes - w->disk_bytes;
	if (capture_fd(w->store, fd, max, r)) {
		r->status = CAPTURE_ERROR;
		r->err = EIO;
	}
	if (r->status == CAPTURE_STORED || r->status == CAPTURE_DEDUPED) {
		count(w, &w->st->captures, 1);
		w->disk_bytes += r->stored;
		if (b) {
			if (path_join(dest, sizeof(dest), b->dir, "captures"))
				capture_link(w->store, r->sha256, dest);
			b->bytes += r->stored;
			b->capture_bytes += r->size;
		}
	} else {
		count(w, &w->st->captures_skipped, 1);
	}
	if (b)
		add_capture(b, kind, r, path, pid, uid, comm, real_ns);
}

/* The root directory a written path is relative to: a live process of the
 * incident (the writer first) when it is a container, else the host's. */
static int open_root(struct worker *w, struct bundle *b, uint32_t pid)
{
	char path[PATH_MAX];
	int fd;

	if (!b->container)
		return -1;
	snprintf(path, sizeof(path), "%s/%u/root", w->o->proc_root, pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = b->nprocs; fd < 0 && i-- > 0;) {
		if (b->procs[i].exited || b->procs[i].pe.cgroup_id != b->cgroup_id)
			continue;
		snprintf(path, sizeof(path), "%s/%u/root", w->o->proc_root, b->procs[i].pe.pid);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return fd < 0 ? -2 : fd;
}

static void capture_written(struct worker *w, struct bundle *b, struct written *wf)
{
	struct capture_result r = { .status = CAPTURE_GONE };
	int root = open_root(w, b, wf->pid), fd = -ENOENT;

	if (root != -2)
		fd = capture_open_nofollow(root, wf->path);
	if (root >= 0)
		close(root);
	if (fd < 0) {
		r.status = fd == -ELOOP || fd == -EINVAL ? CAPTURE_NOT_REGULAR : CAPTURE_GONE;
		r.err = -fd;
		count(w, &w->st->captures_skipped, 1);
		add_capture(b, "written", &r, wf->path, wf->pid, wf->uid, wf->comm, wf->real_ns);
		return;
	}
	capture_into(w, b, fd, "written", wf->path, wf->pid, wf->uid, wf->comm, wf->real_ns, &r);
	close(fd);
	if (r.sha256[0])
		memcpy(wf->sha256, r.sha256, sizeof(wf->sha256));
}

/* ---- written files ---- */

static const char *write_op(const struct event_view *v, const struct vgl_str **path)
{
	const struct vgl_file *f = EV_BODY(v, vgl_file);

	*path = &v->strs[VGL_FILE_S_PATH];
	switch (v->hdr->type) {
	case VGL_EV_OPEN:
		return f->flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC) ? "open_write" : NULL;
	case VGL_EV_RENAME:
	case VGL_EV_LINK:
		*path = &v->strs[VGL_FILE_S_PATH2];
		return v->hdr->type == VGL_EV_RENAME ? "rename" : "link";
	case VGL_EV_CHMOD: return "chmod";
	case VGL_EV_CHOWN: return "chown";
	case VGL_EV_TRUNCATE: return "truncate";
	default: return NULL;
	}
}

static void note_written(struct worker *w, struct bundle *b, const struct event_view *v,
			 uint64_t real_ns)
{
	const struct vgl_str *path;
	const char *op = write_op(v, &path);
	struct written *wf = NULL;

	if (!op || v->hdr->ret < 0 || !path->len || path->ptr[0] != '/')
		return;
	for (size_t i = 0; i < b->nwritten && !wf; i++)
		if (strlen(b->written[i].path) == path->len &&
		    !memcmp(b->written[i].path, path->ptr, path->len))
			wf = &b->written[i];
	if (!wf) {
		if (b->nwritten == BUNDLE_WRITTEN_MAX)
			return;
		wf = &b->written[b->nwritten++];
		memset(wf, 0, sizeof(*wf));
		copy_n(wf->path, sizeof(wf->path), path);
	}
	if (!strstr(wf->ops, op) && strlen(wf->ops) + strlen(op) + 2 < sizeof(wf->ops))
		snprintf(wf->ops + strlen(wf->ops), sizeof(wf->ops) - strlen(wf->ops), "%s%s",
			 wf->ops[0] ? "," : "", op);
	wf->pid = v->hdr->pid;
	wf->uid = v->hdr->uid;
	wf->start_ns = v->hdr->start_ns;
	snprintf(wf->comm, sizeof(wf->comm), "%.*s", (int)sizeof(v->hdr->comm), v->hdr->comm);
	wf->real_ns = real_ns;
	/* the writer has usually closed it by now; captured again at close */
	if (!wf->sha256[0])
		capture_written(w, b, wf);
}

/* ---- timeline ---- */

static void fill_event(struct worker *w, struct bundle *b, struct enriched_event *e, uint64_t ts)
{
	struct pnode *p = pnode_find(b, e->v.hdr->pid);

	e->realtime_ns = ts + w->o->boot_to_real_ns;
	e->proc = p ? &p->pe : NULL;
	e->nr_anc = 0;
	for (uint32_t ppid = e->v.hdr->ppid; e->nr_anc < FORMAT_ANCESTORS_MAX && ppid > 1;) {
		struct pnode *a = pnode_find(b, ppid);

		if (!a || a->pe.ppid == ppid)
			break;
		e->anc[e->nr_anc++] = &a->pe;
		ppid = a->pe.ppid;
	}
	e->ctr = b->has_ctr ? &b->ctr : NULL;
}

static bool is_network(uint16_t type)
{
	return type == VGL_EV_CONNECT || type == VGL_EV_ACCEPT || type == VGL_EV_BIND ||
	       type == VGL_EV_LISTEN;
}

static void network_line(struct json *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	char ts[64];

	format_time(ts, sizeof(ts), e->realtime_ns);
	json_obj_begin(j);
	json_kv_str(j, "time", ts);
	json_kv_str(j, "type", event_info(h->type)->name);
	json_kv_u64(j, "pid", h->pid);
	json_kv_u64(j, "ppid", h->ppid);
	json_kv_strn(j, "comm", h->comm, strnlen(h->comm, sizeof(h->comm)));
	json_kv_str(j, "exe", e->proc ? e->proc->exe : "");
	json_kv_u64(j, "uid", h->uid);
	json_kv_i64(j, "ret", h->ret);
	if (h->ret < 0)
		format_errno(j, "error", h->ret);
	format_net_body(j, &e->v);
	json_obj_end(j);
	json_appendf(j, "\n");
}

/* Render a run of records into timeline.jsonl and network.jsonl. */
static void write_records(struct worker *w, struct bundle *b, const struct blob *recs,
			  bool before, const uint8_t *keep)
{
	struct json tl, net;
	size_t off = 0;
	const void *rec;
	uint32_t size, i = 0;
	uint64_t ts, n = 0;

	json_init(&tl);
	json_init(&net);
	for (; blob_next(recs, &off, &rec, &size, &ts); i++) {
		struct enriched_event e = {};

		if ((keep && !keep[i]) || decode_record(rec, size, &e.v))
			continue;
		tree_note(b, &e.v, ts);
		fill_event(w, b, &e, ts);
		tl.need_comma = false;	/* one object per line, not a list */
		format_json(&tl, &e);
		json_appendf(&tl, "\n");
		if (is_network(e.v.hdr->type)) {
			net.need_comma = false;
			network_line(&net, &e);
			b->connections++;
		}
		note_written(w, b, &e.v, e.realtime_ns);
		n++;
	}
	if (tl.len && room_for(w, b, tl.len + net.len)) {
		if (append_file(w, b, "timeline.jsonl", tl.buf, tl.len) ||
		    (net.len && append_file(w, b, "network.jsonl", net.buf, net.len)))
			count(w, &w->st->write_errors, 1);
		*(before ? &b->events_before : &b->events_after) += n;
	} else if (n) {
		b->events_dropped += n;
		count(w, &w->st->events_dropped, n);
	}
	json_free(&tl);
	json_free(&net);
}

/* pid -> parent pid, open addressing; the latest record's answer wins. */
struct parent_map {
	uint32_t *pid, *ppid;
	size_t mask;
};

static void parent_set(struct parent_map *m, uint32_t pid, uint32_t ppid)
{
	size_t i = (pid * 2654435761u) & m->mask;

	while (m->pid[i] && m->pid[i] != pid)
		i = (i + 1) & m->mask;
	m->pid[i] = pid;
	m->ppid[i] = ppid;
}

static uint32_t parent_of(const struct parent_map *m, uint32_t pid)
{
	size_t i = (pid * 2654435761u) & m->mask;

	while (m->pid[i] && m->pid[i] != pid)
		i = (i + 1) & m->mask;
	return m->pid[i] ? m->ppid[i] : 0;
}

static bool in_tree(const struct parent_map *m, uint32_t pid, uint32_t root)
{
	for (int step = 0; step < ROOT_WALK_MAX && pid > 1; step++) {
		uint32_t up;

		if (pid == root)
			return true;
		up = parent_of(m, pid);
		if (up == pid)
			return false;
		pid = up;
	}
	return false;
}

/* The process a record is about: a fork's child (kept when its parent is
 * in the tree), else the caller. Sets *ppid. */
static uint32_t record_pid(const struct event_view *v, uint32_t *ppid)
{
	if (v->hdr->type == VGL_EV_FORK) {
		*ppid = v->hdr->pid;
		return EV_BODY(v, vgl_fork)->child_pid;
	}
	*ppid = v->hdr->ppid;
	return v->hdr->pid;
}

/*
 * Host incidents: the host ring holds every host process; keep the records
 * of processes whose parent links reach the tree's root. The links come
 * from the records' own headers, and first from the alert's ancestry (the
 * process table's): an ancestor that did nothing in the window has no
 * record to link it. Returns a keep flag per record, NULL when memory ran out.
 */
static uint8_t *host_tree_filter(const struct bundle *b, const struct job *j)
{
	const struct blob *recs = &j->recs;
	struct parent_map m = {};
	size_t slots = 64, off = 0;
	uint8_t *keep = calloc(recs->count + 1, 1);
	const void *rec;
	uint32_t size, i, ppid;
	uint64_t ts;

	while (slots < 2 * (size_t)recs->count)
		slots *= 2;
	m.mask = slots - 1;
	m.pid = calloc(slots, 4);
	m.ppid = calloc(slots, 4);
	if (!keep || !m.pid || !m.ppid)
		goto fail;
	for (int k = 0; k < j->nprocs; k++)
		if (j->procs[k].pid)
			parent_set(&m, j->procs[k].pid, j->procs[k].ppid);
	while (blob_next(recs, &off, &rec, &size, &ts)) {
		struct event_view v;

		if (!decode_record(rec, size, &v)) {
			uint32_t pid = record_pid(&v, &ppid);

			if (pid)
				parent_set(&m, pid, ppid);
		}
	}
	for (off = 0, i = 0; blob_next(recs, &off, &rec, &size, &ts); i++) {
		struct event_view v;

		if (!decode_record(rec, size, &v))
			keep[i] = in_tree(&m, record_pid(&v, &ppid), b->root_pid);
	}
	free(m.pid);
	free(m.ppid);
	return keep;
fail:
	free(keep);
	free(m.pid);
	free(m.ppid);
	return NULL;
}

/* ---- incident.json ---- */

static void kv_time(struct json *j, const char *key, uint64_t real_ns)
{
	char ts[64];

	format_time(ts, sizeof(ts), real_ns);
	json_kv_str(j, key, ts);
}

static void write_procs(struct worker *w, struct json *j, struct bundle *b)
{
	json_key(j, "processes");
	json_arr_begin(j);
	for (size_t i = 0; i < b->nprocs; i++) {
		const struct pnode *p = &b->procs[i];
		const struct pnode *up = p;

		json_obj_begin(j);
		json_kv_u64(j, "pid", p->pe.pid);
		json_kv_u64(j, "ppid", p->pe.ppid);
		json_kv_u64(j, "start_ns", p->pe.start_ns);
		if (p->pe.start_ns)
			kv_time(j, "start_time", p->pe.start_ns + w->o->boot_to_real_ns);
		json_kv_u64(j, "uid", p->pe.uid);
		json_kv_str(j, "comm", p->pe.comm);
		json_kv_str(j, "exe", p->pe.exe);
		json_kv_str(j, "args", p->pe.args);
		json_kv_str(j, "cwd", p->pe.cwd);
		json_kv_bool(j, "exited", p->exited);
		if (p->exited) {
			json_kv_i64(j, "exit_code", p->exit_code);
			json_kv_i64(j, "exit_signal", p->exit_signal);
		}
		json_key(j, "ancestry");	/* pids, parent first, as far as the bundle knows */
		json_arr_begin(j);
		for (int k = 0; k < ROOT_WALK_MAX && up && up->pe.ppid > 0 && up->pe.ppid != up->pe.pid;
		     k++) {
			json_u64(j, up->pe.ppid);
			up = pnode_find(b, up->pe.ppid);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void write_captures(struct json *j, struct bundle *b)
{
	json_key(j, "captures");
	json_arr_begin(j);
	for (size_t i = 0; i < b->ncaps; i++) {
		const struct cap_entry *c = &b->caps[i];
		bool kept = c->r.status == CAPTURE_STORED || c->r.status == CAPTURE_DEDUPED;
		char file[96];

		json_obj_begin(j);
		json_kv_str(j, "kind", c->kind);
		json_kv_str(j, "path", c->path);
		json_kv_str(j, "status", capture_status_name(c->r.status));
		if (c->r.err)
			json_kv_str(j, "error", strerrorname_np(c->r.err) ?: "error");
		if (c->r.sha256[0])
			json_kv_str(j, "sha256", c->r.sha256);
		json_kv_u64(j, "size", c->r.size);
		if (kept) {
			snprintf(file, sizeof(file), "captures/%s.zst", c->r.sha256);
			json_kv_str(j, "file", file);
			kv_time(j, "first_seen", c->r.first_seen_ns);
		}
		json_kv_str(j, "compression", "zstd");
		json_key(j, "by");
		json_obj_begin(j);
		json_kv_u64(j, "pid", c->pid);
		json_kv_u64(j, "uid", c->uid);
		json_kv_str(j, "comm", c->comm);
		json_obj_end(j);
		kv_time(j, "time", c->real_ns);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void write_written(struct worker *w, struct json *j, struct bundle *b)
{
	json_key(j, "written_files");
	json_arr_begin(j);
	for (size_t i = 0; i < b->nwritten; i++) {
		const struct written *wf = &b->written[i];
		const struct pnode *p = pnode_find(b, wf->pid);

		json_obj_begin(j);
		json_kv_str(j, "path", wf->path);
		json_kv_str(j, "ops", wf->ops);
		kv_time(j, "time", wf->real_ns);
		json_kv_str(j, "sha256", wf->sha256);
		json_key(j, "writer");
		json_obj_begin(j);
		json_kv_u64(j, "pid", wf->pid);
		json_kv_u64(j, "uid", wf->uid);
		json_kv_str(j, "comm", wf->comm);
		json_kv_str(j, "exe", p ? p->pe.exe : "");
		json_obj_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void write_incident_json(struct worker *w, struct bundle *b, bool closed)
{
	struct json *j = &b->line;

	json_reset(j);
	json_obj_begin(j);
	json_kv_str(j, "id", b->id);
	json_kv_str(j, "state", closed ? "closed" : "open");
	kv_time(j, "first_alert", b->first_real_ns);
	kv_time(j, "last_alert", b->last_real_ns);
	json_kv_str(j, "scope", b->container ? "container" : "host");
	json_key(j, "container");
	json_obj_begin(j);
	format_container_members(j, b->has_ctr ? &b->ctr : NULL);
	json_kv_u64(j, "cgroup_id", b->cgroup_id);
	json_obj_end(j);
	if (!b->container) {
		json_key(j, "process_tree_root");
		json_obj_begin(j);
		json_kv_u64(j, "pid", b->root_pid);
		json_kv_u64(j, "start_ns", b->root_start_ns);
		json_obj_end(j);
	}
	json_key(j, "alerts");
	json_arr_begin(j);
	json_appendf(j, "%s", b->alerts.buf ? b->alerts.buf : "");
	json_arr_end(j);
	json_kv_u64(j, "alerts_omitted", b->alerts_omitted);
	write_procs(w, j, b);
	write_captures(j, b);
	write_written(w, j, b);
	json_key(j, "counts");
	json_obj_begin(j);
	json_kv_u64(j, "events_before", b->events_before);
	json_kv_u64(j, "events_after", b->events_after);
	json_kv_u64(j, "events_dropped", b->events_dropped);
	json_kv_u64(j, "events_before_truncated", b->before_truncated);
	json_kv_u64(j, "connections", b->connections);
	json_kv_u64(j, "bytes", b->bytes);
	json_kv_u64(j, "capture_bytes", b->capture_bytes);
	json_obj_end(j);
	json_obj_end(j);
	json_appendf(j, "\n");
	if (j->oom || write_file_atomic(b->dir, "incident.json", j->buf, j->len))
		count(w, &w->st->write_errors, 1);
}

/* ---- jobs ---- */

static struct bundle *bundle_find(struct worker *w, const char *id)
{
	for (struct bundle *b = w->open; b; b = b->next)
		if (!strcmp(b->id, id))
			return b;
	return NULL;
}

static void add_alert(struct bundle *b, const struct job *j, uint32_t max_alerts)
{
	if (!b->first_real_ns)
		b->first_real_ns = j->real_ns;
	b->last_real_ns = j->real_ns;
	for (int i = 0; i < j->nprocs; i++)
		pnode_merge(b, &j->procs[i]);
	if (b->nalerts >= max_alerts) {
		b->alerts_omitted++;
		return;
	}
	if (b->nalerts++)
		json_appendf(&b->alerts, ",");
	json_appendf(&b->alerts, "%s", j->alert_json ? j->alert_json : "{}");
}

static int make_dirs(struct bundle *b)
{
	char sub[PATH_MAX];

	if (mkdir(b->dir, 0700) && errno != EEXIST)
		return -errno;
	if (!path_join(sub, sizeof(sub), b->dir, "captures"))
		return -ENAMETOOLONG;
	if (mkdir(sub, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static void handle_open(struct worker *w, struct job *j)
{
	struct bundle *b = calloc(1, sizeof(*b));
	uint8_t *keep = NULL;

	if (!b || !(b->procs = calloc(BUNDLE_PROCS_MAX, sizeof(*b->procs)))) {
		free(b);
		count(w, &w->st->write_errors, 1);
		return;
	}
	snprintf(b->id, sizeof(b->id), "%s", j->id);
	path_join(b->dir, sizeof(b->dir), w->o->dir, j->id);
	b->container = j->container;
	b->cgroup_id = j->cgroup_id;
	b->root_pid = j->root_pid;
	b->root_start_ns = j->root_start_ns;
	b->has_ctr = j->has_ctr;
	b->ctr = j->ctr;
	b->meta = j->meta;
	b->ctr.meta = j->has_meta ? &b->meta : NULL;
	b->before_truncated = j->before_truncated;
	json_init(&b->alerts);
	json_init(&b->line);
	b->next = w->open;
	w->open = b;
	if (w->disk_bytes >= w->o->max_total_bytes)
		worker_retention_soon(w, 0);
	if (make_dirs(b)) {
		log_warn("cannot create incident directory '%s': %s", b->dir, strerror(errno));
		count(w, &w->st->write_errors, 1);
		return;
	}
	add_alert(b, j, w->o->max_alerts);
	if (!b->container && !(keep = host_tree_filter(b, j)))
		b->events_dropped += j->recs.count;
	else
		write_records(w, b, &j->recs, true, keep);
	free(keep);
	write_incident_json(w, b, false);
}

static void handle_capture(struct worker *w, struct job *j)
{
	struct bundle *b = j->id[0] ? bundle_find(w, j->id) : NULL;
	struct capture_result r;

	capture_into(w, b, j->fd, "executed", j->path, j->pid, j->uid, j->comm, j->real_ns, &r);
	if (b)
		write_incident_json(w, b, false);
}

static void bundle_close(struct worker *w, struct bundle *b)
{
	struct bundle **pp = &w->open;

	/* the writers have closed their files by now: capture what changed */
	for (size_t i = 0; i < b->nwritten; i++) {
		char before[65];

		memcpy(before, b->written[i].sha256, sizeof(before));
		b->written[i].sha256[0] = '\0';
		capture_written(w, b, &b->written[i]);
		if (!b->written[i].sha256[0])
			memcpy(b->written[i].sha256, before, sizeof(before));
	}
	write_incident_json(w, b, true);
	while (*pp && *pp != b)
		pp = &(*pp)->next;
	if (*pp)
		*pp = b->next;
	json_free(&b->alerts);
	json_free(&b->line);
	free(b->procs);
	free(b);
	count(w, &w->st->bundles_written, 1);
}

void worker_handle(struct worker *w, struct job *j)
{
	struct bundle *b = j->kind == JOB_OPEN || j->kind == JOB_CAPTURE ? NULL :
			   bundle_find(w, j->id);

	switch (j->kind) {
	case JOB_OPEN:
		handle_open(w, j);
		break;
	case JOB_CAPTURE:
		handle_capture(w, j);
		break;
	case JOB_ALERT:
		if (b) {
			add_alert(b, j, w->o->max_alerts);
			write_incident_json(w, b, false);
		}
		break;
	case JOB_EVENTS:
		if (b) {
			b->events_dropped += j->dropped;
			write_records(w, b, &j->recs, false, NULL);
		}
		break;
	case JOB_CLOSE:
		if (b) {
			b->events_dropped += j->dropped;
			bundle_close(w, b);
			worker_retention(w);
		}
		break;
	}
	job_free(j);
}

void worker_close_all(struct worker *w)
{
	while (w->open)
		bundle_close(w, w->open);
	worker_retention(w);
}

static bool is_busy(void *ctx, const char *id)
{
	return bundle_find(ctx, id) != NULL;
}

/*
 * The writers' retention. A pass walks every incident, so with the
 * directory near its cap, a pass per captured file or event that found no
 * room would cost a walk each (measured: over half of vigil's CPU in a
 * process storm, 560 incidents on disk). So a writer's pass frees room for
 * what it wants to write, not only down to the cap, and runs at most once
 * per RETENTION_MIN_GAP_NS; in between a write without room is skipped, as
 * when the disk budget is spent.
 */
#define RETENTION_MIN_GAP_NS	1000000000ULL

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Enforce the limits, leaving room bytes free under the total cap. */
static void retention_pass(struct worker *w, uint64_t room)
{
	uint64_t cap = w->o->max_total_bytes;
	/* 0 is no cap; a cap smaller than the room wanted empties the directory */
	struct retention_opts ro = { w->o->max_age_ns, !cap ? 0 : cap > room ? cap - room : 1 };
	struct retention_result r;
	struct timespec now;

	w->retention_ns = monotonic_ns();
	clock_gettime(CLOCK_REALTIME, &now);
	if (retention_enforce(w->o->dir, &ro, now.tv_sec * 1000000000ULL + now.tv_nsec, is_busy, w,
			      &r))
		return;
	w->disk_bytes = r.bytes_after;
	pthread_mutex_lock(w->lock);
	w->st->retention_removed += r.removed;
	w->st->disk_bytes = r.bytes_after;
	pthread_mutex_unlock(w->lock);
}

void worker_retention(struct worker *w)
{
	retention_pass(w, 0);
}

void worker_retention_soon(struct worker *w, uint64_t room)
{
	if (w->retention_ns && monotonic_ns() - w->retention_ns < RETENTION_MIN_GAP_NS)
		return;
	retention_pass(w, room);
}
