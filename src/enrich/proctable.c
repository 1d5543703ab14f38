// SPDX-License-Identifier: GPL-2.0
/*
 * proctable.c - see proctable.h.
 *
 * Entries live in fixed-size chunks (stable addresses, no allocation per
 * event once warm) and are found through a chained hash on pid. Freed
 * entries go to a free list.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "enrich/proctable.h"

#define CHUNK_ENTRIES	1024
#define DEFAULT_MAX	65536

/* An exited process waiting for its grace period to end. */
struct grave {
	uint32_t pid;
	uint64_t start_ns;	/* tells it from a new process that reused the pid */
	uint64_t exit_ns;
};

struct proc_table {
	struct grave graves[PROC_GRACE_MAX];	/* FIFO, oldest at grave_head */
	size_t grave_head;
	size_t nr_graves;
	struct proc_entry **chunks;
	size_t nr_chunks;
	size_t max_entries;
	uint32_t *buckets;	/* index + 1 of first entry; 0 = empty */
	size_t nr_buckets;	/* power of two */
	uint32_t free_head;	/* index + 1 */
	size_t count;
	char *proc_root;
	long ticks_per_sec;
};

static struct proc_entry *entry_at(const struct proc_table *t, uint32_t idx)
{
	return &t->chunks[idx / CHUNK_ENTRIES][idx % CHUNK_ENTRIES];
}

static uint32_t bucket_of(const struct proc_table *t, uint32_t pid)
{
	return (pid * 2654435761u) & (t->nr_buckets - 1);
}

struct proc_table *proc_table_new(size_t max_entries, const char *proc_root)
{
	struct proc_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max_entries = max_entries ? max_entries : DEFAULT_MAX;
	t->nr_buckets = 1;
	while (t->nr_buckets < t->max_entries)
		t->nr_buckets <<= 1;
	t->buckets = calloc(t->nr_buckets, sizeof(*t->buckets));
	t->nr_chunks = (t->max_entries + CHUNK_ENTRIES - 1) / CHUNK_ENTRIES;
	t->chunks = calloc(t->nr_chunks, sizeof(*t->chunks));
	t->proc_root = proc_root ? strdup(proc_root) : NULL;
	t->ticks_per_sec = sysconf(_SC_CLK_TCK);
	if (!t->buckets || !t->chunks || (proc_root && !t->proc_root)) {
		proc_table_free(t);
		return NULL;
	}
	return t;
}

void proc_table_free(struct proc_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->chunks && i < t->nr_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->buckets);
	free(t->proc_root);
	free(t);
}

size_t proc_table_size(const struct proc_table *t)
{
	return t->count;
}

static struct proc_entry *find(struct proc_table *t, uint32_t pid)
{
	uint32_t i = t->buckets[bucket_of(t, pid)];

	while (i) {
		struct proc_entry *e = entry_at(t, i - 1);

		if (e->pid == pid)
			return e;
		i = e->next;
	}
	return NULL;
}

/* Take a free slot; grows by one chunk when the free list is empty. */
static int alloc_slot(struct proc_table *t, uint32_t *idx)
{
	if (!t->free_head) {
		size_t c = 0;

		while (c < t->nr_chunks && t->chunks[c])
			c++;
		if (c == t->nr_chunks)
			return -ENOSPC;
		t->chunks[c] = calloc(CHUNK_ENTRIES, sizeof(struct proc_entry));
		if (!t->chunks[c])
			return -ENOMEM;
		for (uint32_t k = CHUNK_ENTRIES; k > 0; k--) {
			uint32_t i = c * CHUNK_ENTRIES + k - 1;

			entry_at(t, i)->next = t->free_head;
			t->free_head = i + 1;
		}
	}
	*idx = t->free_head - 1;
	t->free_head = entry_at(t, *idx)->next;
	return 0;
}

/* Entry for pid, created empty if absent. NULL when the table is full. */
static struct proc_entry *upsert(struct proc_table *t, uint32_t pid)
{
	struct proc_entry *e = find(t, pid);
	uint32_t idx, b;

	if (e)
		return e;
	if (t->count >= t->max_entries || alloc_slot(t, &idx))
		return NULL;
	e = entry_at(t, idx);
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->used = 1;
	b = bucket_of(t, pid);
	e->next = t->buckets[b];
	t->buckets[b] = idx + 1;
	t->count++;
	return e;
}

void proc_table_exit(struct proc_table *t, uint32_t pid)
{
	uint32_t b = bucket_of(t, pid);
	uint32_t *link = &t->buckets[b];

	while (*link) {
		uint32_t idx = *link - 1;
		struct proc_entry *e = entry_at(t, idx);

		if (e->pid == pid) {
			*link = e->next;
			e->used = 0;
			e->next = t->free_head;
			t->free_head = idx + 1;
			t->count--;
			return;
		}
		link = &e->next;
	}
}

/* Remove the oldest grave's entry unless its pid now names a new process. */
static void bury_oldest(struct proc_table *t)
{
	struct grave *g = &t->graves[t->grave_head];
	struct proc_entry *e = find(t, g->pid);

	if (e && e->exited && e->start_ns == g->start_ns)
		proc_table_exit(t, g->pid);
	t->grave_head = (t->grave_head + 1) % PROC_GRACE_MAX;
	t->nr_graves--;
}

void proc_table_exit_later(struct proc_table *t, uint32_t pid, uint64_t now_ns)
{
	struct proc_entry *e = find(t, pid);
	struct grave *g;

	while (t->nr_graves &&
	       (t->nr_graves == PROC_GRACE_MAX ||
		now_ns - t->graves[t->grave_head].exit_ns > PROC_GRACE_NS))
		bury_oldest(t);
	if (!e)
		return;
	e->exited = true;
	g = &t->graves[(t->grave_head + t->nr_graves) % PROC_GRACE_MAX];
	g->pid = pid;
	g->start_ns = e->start_ns;
	g->exit_ns = now_ns;
	t->nr_graves++;
}

void proc_args_join(char *dst, size_t dst_len, const char *args, size_t args_len)
{
	size_t n = 0;

	if (!dst_len)
		return;
	while (args_len && args[args_len - 1] == '\0')	/* trailing NULs */
		args_len--;
	for (size_t i = 0; i < args_len && n + 1 < dst_len; i++)
		dst[n++] = args[i] ? args[i] : ' ';
	dst[n] = '\0';
}

static void copy_str(char *dst, size_t dst_len, const char *src, size_t len)
{
	if (len >= dst_len)
		len = dst_len - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void proc_table_fork(struct proc_table *t, uint32_t parent, uint32_t child, uint64_t child_start_ns)
{
	struct proc_entry *p = proc_table_get(t, parent, false);
	struct proc_entry *c = upsert(t, child);

	if (!c)
		return;
	c->ppid = parent;
	c->start_ns = child_start_ns;
	c->exited = false;
	c->from_proc = false;
	if (p && p != c) {
		memcpy(c->comm, p->comm, sizeof(c->comm));
		memcpy(c->exe, p->exe, sizeof(c->exe));
		memcpy(c->args, p->args, sizeof(c->args));
		memcpy(c->cwd, p->cwd, sizeof(c->cwd));
		memcpy(c->stdio_ino, p->stdio_ino, sizeof(c->stdio_ino));
		c->uid = p->uid;
		c->cgroup_id = p->cgroup_id;
	}
}

void proc_table_exec(struct proc_table *t, uint32_t pid, uint32_t ppid, uint64_t start_ns,
		     const char *comm, const char *exe, size_t exe_len, const char *args,
		     size_t args_len, uint32_t uid, uint64_t cgroup_id)
{
	struct proc_entry *e = upsert(t, pid);

	if (!e)
		return;
	e->ppid = ppid;
	e->start_ns = start_ns;
	e->uid = uid;
	e->cgroup_id = cgroup_id;
	e->from_proc = false;
	e->exited = false;
	copy_str(e->comm, sizeof(e->comm), comm, strnlen(comm, PROC_COMM_MAX));
	copy_str(e->exe, sizeof(e->exe), exe, exe_len);
	proc_args_join(e->args, sizeof(e->args), args, args_len);
}

void proc_entry_set_exec_ctx(struct proc_entry *e, const char *cwd, size_t cwd_len,
			     const uint64_t stdio_ino[3])
{
	copy_str(e->cwd, sizeof(e->cwd), cwd, cwd_len);
	memcpy(e->stdio_ino, stdio_ino, sizeof(e->stdio_ino));
}

/* A live process other than not_pid whose fd is pipe ino. */
static struct proc_entry *find_pipe_end(struct proc_table *t, int fd, uint64_t ino,
					uint32_t not_pid)
{
	if (!ino)
		return NULL;
	for (size_t c = 0; c < t->nr_chunks && t->chunks[c]; c++)
		for (size_t k = 0; k < CHUNK_ENTRIES; k++) {
			struct proc_entry *e = &t->chunks[c][k];

			if (e->used && e->pid != not_pid && e->stdio_ino[fd] == ino)
				return e;
		}
	return NULL;
}

struct proc_entry *proc_table_find_stdout(struct proc_table *t, uint64_t ino, uint32_t not_pid)
{
	return find_pipe_end(t, 1, ino, not_pid);
}

struct proc_entry *proc_table_find_stdin(struct proc_table *t, uint64_t ino, uint32_t not_pid)
{
	return find_pipe_end(t, 0, ino, not_pid);
}

/* Read a small /proc file into buf; returns bytes or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* Learn one process from /proc/PID. Returns the entry or NULL. */
static struct proc_entry *load_from_proc(struct proc_table *t, uint32_t pid)
{
	char path[128], buf[1024];
	struct proc_entry *e;
	unsigned long long start_ticks = 0;
	int ppid = 0;
	ssize_t n;
	char *rp;

	if (!t->proc_root)
		return NULL;
	snprintf(path, sizeof(path), "%s/%u/stat", t->proc_root, pid);
	n = read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* comm may contain spaces and parens: fields resume after the last ')' */
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			  "%*d %*d %*d %llu", &ppid, &start_ticks) != 2)
		return NULL;
	e = upsert(t, pid);
	if (!e)
		return NULL;
	e->ppid = ppid;
	e->start_ns = start_ticks * (1000000000ULL / t->ticks_per_sec);
	e->from_proc = true;
	char *lp = strchr(buf, '(');
	if (lp && rp > lp)
		copy_str(e->comm, sizeof(e->comm), lp + 1, rp - lp - 1);

	snprintf(path, sizeof(path), "%s/%u/exe", t->proc_root, pid);
	n = readlink(path, e->exe, sizeof(e->exe) - 1);
	e->exe[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/%u/cmdline", t->proc_root, pid);
	n = read_small(path, buf, sizeof(buf));
	proc_args_join(e->args, sizeof(e->args), buf, n > 0 ? n : 0);
	return e;
}

struct proc_entry *proc_table_get(struct proc_table *t, uint32_t pid, bool allow_proc_read)
{
	struct proc_entry *e = find(t, pid);

	if (e || !allow_proc_read || pid == 0)
		return e;
	return load_from_proc(t, pid);
}

int proc_table_seed(struct proc_table *t)
{
	DIR *d;
	struct dirent *de;
	int added = 0;

	if (!t->proc_root)
		return 0;
	d = opendir(t->proc_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || pid == 0)
			continue;
		if (!find(t, pid) && load_from_proc(t, pid))
			added++;
	}
	closedir(d);
	return added;
}

int proc_table_ancestors(struct proc_table *t, uint32_t pid, const struct proc_entry **out,
			 int max)
{
	struct proc_entry *e = proc_table_get(t, pid, false);
	int n = 0;

	while (e && n < max && e->ppid && e->ppid != e->pid) {
		struct proc_entry *p = proc_table_get(t, e->ppid, true);

		if (!p)
			break;
		out[n++] = p;
		e = p;
	}
	return n;
}
