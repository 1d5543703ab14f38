/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bundle.h - internal to src/forensics: the jobs the event thread hands to
 * the incidents worker, and the worker that turns them into bundle files.
 * A job owns everything it points to; the worker frees it.
 */
#ifndef VIGIL_BUNDLE_H
#define VIGIL_BUNDLE_H

#include <limits.h>
#include <pthread.h>
#include "forensics/incident.h"

enum job_kind { JOB_OPEN, JOB_ALERT, JOB_EVENTS, JOB_CAPTURE, JOB_CLOSE };

/* A run of records: [u64 ts_ns][u32 size][u32 0][record, padded to 8]... */
struct blob {
	uint8_t *data;
	size_t len, cap;
	uint32_t count;
};

bool blob_append(struct blob *b, const void *rec, size_t size, uint64_t ts_ns);
/* Next record at *off; false at the end. */
bool blob_next(const struct blob *b, size_t *off, const void **rec, uint32_t *size, uint64_t *ts);

struct job {
	struct job *next;
	enum job_kind kind;
	char id[INCIDENT_ID_LEN];	/* "" for a capture outside any incident */
	size_t cost;			/* bytes counted against the queue */
	uint64_t real_ns;		/* the alert's or capture's time */
	/* JOB_OPEN */
	bool container;
	uint64_t cgroup_id;
	uint32_t root_pid;		/* host: the process tree's root */
	uint64_t root_start_ns;
	bool has_ctr, has_meta;
	struct container_info ctr;	/* copy; ctr.meta points to meta below */
	struct container_meta meta;
	uint32_t before_truncated;	/* records left out of the copy (queue room) */
	/* JOB_ALERT (and JOB_OPEN: its first alert) */
	char *alert_json;
	struct proc_entry procs[1 + FORMAT_ANCESTORS_MAX];
	int nprocs;
	/* JOB_OPEN (timeline before) and JOB_EVENTS */
	struct blob recs;
	uint32_t dropped;		/* events the event thread could not queue */
	/* JOB_CAPTURE */
	int fd;				/* open file to capture, closed by the worker */
	char path[PROC_EXE_MAX];	/* what was executed, as the event named it */
	uint32_t pid, uid;
	char comm[PROC_COMM_MAX];
};

struct bundle;

struct worker {
	const struct incidents_opts *o;	/* the owner's settled options */
	char store[PATH_MAX];
	struct bundle *open;		/* bundles being written */
	struct incidents_stats *st;	/* the worker's counters (owner locks) */
	pthread_mutex_t *lock;
	uint64_t disk_bytes;		/* estimate between retention passes */
	uint64_t retention_ns;		/* CLOCK_MONOTONIC of the last pass */
};

/* Handle one job (worker thread). Frees the job. */
void worker_handle(struct worker *w, struct job *j);

/* Finalize every bundle still open (shutdown). */
void worker_close_all(struct worker *w);

/* Retention now: at start and after each bundle. */
void worker_retention(struct worker *w);
/* The writers' path: retention that also frees room bytes, unless a pass
 * ran within the last second. */
void worker_retention_soon(struct worker *w, uint64_t room);

void job_free(struct job *j);

#endif
