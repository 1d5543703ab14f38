/* SPDX-License-Identifier: GPL-2.0 */
/*
 * incident.h - alerts grouped into incidents, each written as a bundle
 * directory a responder can read after the workload is gone:
 *
 *	<dir>/<id>/incident.json	id, times, alerts, container, process tree,
 *					captures, written files, counters
 *	<dir>/<id>/timeline.jsonl	recorder events before the first alert, then
 *					the incident's events until after_ns past the
 *					last alert, in order (docs/events.md schema)
 *	<dir>/<id>/network.jsonl	connections: who connected where, when
 *	<dir>/<id>/captures/<sha256>.zst  executed binaries and written files
 *
 * Grouping: an alert joins the open incident of the same container (cgroup
 * id), or on the host of the same process tree, when it comes within
 * window_ns of that incident's last alert. A host process tree is named by
 * its topmost ancestor below a session boundary (pid 1, or a process named
 * systemd, init, sshd, cron, crond, login, agetty, containerd-shim*,
 * dockerd, containerd, runc): `sshd -> bash -> curl` and `sshd -> bash -> sh`
 * are the tree of that bash.
 *
 * Threads: every function here is called from the agent's event thread.
 * Disk work happens in a worker thread fed by a bounded queue: what it needs
 * is copied, a full queue drops the job and counts it. The event path pays
 * one branch per event when no incident collects events.
 */
#ifndef VIGIL_INCIDENT_H
#define VIGIL_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "detect/engine.h"
#include "output/format.h"
#include "forensics/recorder.h"

#define INCIDENT_ID_LEN		32	/* "20240102T030405Z-1a2b3c4d" + NUL */
#define INCIDENTS_DIR		"/var/lib/vigil/incidents"

/* min_severity is the enum severity plus one, so that 0 can mean "default". */
#define INCIDENT_SEVERITY(s)	((int)(s) + 1)

/* Zero fields take the defaults in brackets. */
struct incidents_opts {
	const char *dir;		/* [INCIDENTS_DIR], created 0700 */
	int min_severity;		/* INCIDENT_SEVERITY(s): alerts below s open nothing
					 * [INCIDENT_SEVERITY(SEV_HIGH)] */
	uint64_t window_ns;		/* related alerts join within this [300 s] */
	uint64_t before_ns;		/* recorder timeline before the first alert [60 s] */
	uint64_t after_ns;		/* events kept after the last alert [30 s] */
	uint32_t max_open;		/* incidents collecting at once [32] */
	uint32_t max_new_per_min;	/* new incidents a minute; more alerts get none [30] */
	uint32_t max_alerts;		/* alerts listed in one incident.json [1000] */
	uint32_t max_events_after;	/* events recorded after the first alert [50000] */
	uint64_t max_incident_bytes;	/* timeline + captures of one incident [64 MiB] */
	uint64_t capture_file_max;	/* largest file captured [32 MiB] */
	bool capture_new_execs;		/* capture every exec of a binary not seen before */
	uint64_t queue_bytes;		/* worker queue [64 MiB] */
	uint64_t max_age_ns;		/* retention by age [7 days] */
	uint64_t max_total_bytes;	/* retention by size of dir [1 GiB] */
	uint64_t boot_to_real_ns;	/* realtime - boottime [measured now] */
	struct recorder *recorder;	/* timeline source before the alert; NULL: none */
	const char *proc_root;		/* [/proc]; tests point it elsewhere */
};

struct incidents_stats {
	uint64_t opened;		/* incidents created */
	uint64_t joined;		/* alerts that joined an open incident */
	uint64_t below_severity;	/* alerts that opened nothing */
	uint64_t rate_limited;		/* alerts refused by max_new_per_min / max_open */
	uint64_t events_after;		/* events queued for open incidents */
	uint64_t events_dropped;	/* events lost: queue full or per-incident limits */
	uint64_t jobs_dropped;		/* worker jobs lost to a full queue */
	uint64_t bundles_written;	/* incidents closed and finalized */
	uint64_t captures;		/* files captured (new or deduplicated) */
	uint64_t captures_skipped;	/* too large, over budget, gone, not regular */
	uint64_t write_errors;
	uint64_t retention_removed;	/* incidents removed by retention */
	uint64_t disk_bytes;		/* the dir's size after the last retention pass */
};

struct incidents;

/*
 * Create dir (0700) and its capture store, apply retention, start the
 * worker. NULL with errno set (and a logged reason naming the directory).
 */
struct incidents *incidents_new(const struct incidents_opts *opts);

/* Close every open incident, finish the queue, stop the worker. */
void incidents_free(struct incidents *inc);

/*
 * An alert a on the enriched event e (the agent's on_alert, after the
 * response is known so a->action is final). Returns the incident id the
 * alert belongs to, or NULL (below min_severity, or limits): the agent
 * adds it to the alert JSON as "incident_id", and *path (may be NULL) as
 * "incident_path". Both strings live until the next incidents_* call.
 */
const char *incidents_on_alert(struct incidents *inc, const struct alert *a,
			       const struct enriched_event *e, const char **path);

/*
 * Every enriched event (after detection, alerts or not): records it for
 * the incidents collecting from its container or process tree, and closes
 * the incidents whose after window ended (by event time). One branch when
 * nothing is collecting (and capture_new_execs is off).
 */
void incidents_on_event(struct incidents *inc, const struct enriched_event *e);

/* Between ring-buffer batches, with the boot-clock time now: flush batched
 * events to the worker and close incidents whose window ended. */
void incidents_tick(struct incidents *inc, uint64_t now_ns);

/* Wait (tests, shutdown) until the worker has nothing queued, at most timeout_ms. */
bool incidents_wait_idle(struct incidents *inc, unsigned int timeout_ms);

void incidents_get_stats(struct incidents *inc, struct incidents_stats *s);

#endif
