/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agent.h - one running vigil: the sensor and the userspace stages that
 * each record flows through, in order:
 *
 *	sensor (load) -> decode -> enrich (process table, container)
 *	-> filter -> output
 *
 *	-> detect (rules) -> respond (kill, block, deny) -> output
 *
 * All state is in struct agent; there are no hidden globals.
 */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "sensor/sensor.h"
#include "enrich/proctable.h"
#include "enrich/container.h"
#include "enrich/runtime_meta.h"
#include "enrich/exehash.h"
#include "output/json.h"
#include "detect/engine.h"
#include "respond/respond.h"
#include "ops/metrics.h"
#include "forensics/recorder.h"
#include "forensics/incident.h"
#include "output/deliver.h"
#include "detect/open_filter.h"
#include "scan/scan.h"
#include <signal.h>

enum output_format { OUT_JSON, OUT_TEXT };

struct trace_filter {
	event_mask_t events;		/* types to output */
	const char *container;		/* NULL/"any": all; "host"; an id prefix or a name */
	const char *k8s_namespace;	/* Kubernetes namespace, or NULL */
	const char *pod;		/* Kubernetes pod name, or NULL */
	const char *comm;		/* exact comm, or NULL */
	uint32_t pid;			/* tgid, or 0 */
};

struct agent_stats {
	uint64_t received[VGL_EV_MAX];
	uint64_t output[VGL_EV_MAX];
	uint64_t alerts;
	uint64_t decode_errors;
	uint64_t write_errors;
};

struct agent {
	struct sensor *sensor;
	struct proc_table *procs;
	struct container_cache *containers;
	struct container_opts ctr_opts;	/* how containers are found; set by agent_init if !ctr_opts_set */
	bool ctr_opts_set;
	bool in_lifecycle;		/* handling a container_start/exit record made here */
	struct exe_hashes *hashes;	/* SHA-256 of executables, on demand */
	struct trace_filter filter;
	enum output_format format;
	int color;			/* text alerts coloured by severity: 1, 0, -1 on a TTY */
	struct deliver deliver;		/* the configured outputs beyond the main stream */
	FILE *out;
	const char *out_path;
	struct json line;		/* reused for every event: no allocation per event */
	struct agent_stats stats;
	uint64_t boot_to_real_ns;
	uint64_t last_lost;		/* kernel losses already reported */
	struct engine *engine;		/* NULL: trace only */
	struct responder *responder;	/* NULL: nothing is enforced */
	bool enforced_alerted;		/* this record's enforced rule has alerted */
	bool stream_events;		/* with an engine: write events too */
	bool syscall_fallback;		/* raw sys_exit for syscalls without tracepoints */
	const char *event_loop_priority; /* normal, high, realtime (default, NULL) */
	struct open_filter *open_filter;	/* opens the rules could match (in the kernel) */
	struct scanner *scanner;		/* periodic integrity scans (NULL: none) */
	unsigned int open_filter_gen;
	/* forensics: the flight recorder and incident bundles (NULL: off) */
	struct recorder *recorder;
	struct incidents *incidents;
	/* self-measurement (GET /metrics): kept by the loop, published each second */
	bool measure;			/* a metrics server is on: time rule evaluation */
	struct metrics_data *mdata;	/* the loop's own numbers */
	struct metrics metrics;		/* the published copy */
	uint64_t published_ms;
	uint64_t heartbeat_ms;		/* last loop turn (atomic: read by /healthz) */
	bool running;			/* hooks attached, the loop started (read by /readyz) */
	/* set by a signal handler; agent_run then calls reload() */
	volatile sig_atomic_t *reload_flag;
	int (*reload)(struct agent *a);
};

/* Open out_path for appending (stdout when NULL), fully buffered. */
int agent_open_output(struct agent *a);

/* Open the sensor, seed the process table. Returns 0 or -errno. */
int agent_init(struct agent *a);

/* The container of a cgroup id (for the responder; cached after the first). */
const struct container_info *agent_container_of(void *ctx, uint64_t cgroup_id);

/* Let the kernel send only the opens rs's rules could match. 0 or -errno. */
int agent_filter_opens(struct agent *a, const struct ruleset *rs);
/* Tell the kernel whether the rules can match ordinary sockets (socket_filter.h). */
int agent_filter_sockets(struct agent *a, const struct ruleset *rs);

/* Attach the hooks the filter's event types need. */
int agent_select(struct agent *a, event_mask_t mask);

/* Run until *stop becomes true or duration_ms passes (0: forever). */
int agent_run(struct agent *a, volatile bool *stop, uint64_t duration_ms);

/*
 * Self-measurement for an ops HTTP server (src/ops/httpd.h): turn it on
 * before agent_run; the three callbacks are thread-safe. 0 or -ENOMEM.
 */
int agent_measure(struct agent *a);
int agent_metrics(void *ctx, FILE *out);
bool agent_live(void *ctx, char *why, size_t len);
bool agent_ready(void *ctx, char *why, size_t len);

/* Print kernel and userspace counters to f. */
void agent_print_stats(struct agent *a, FILE *f);

void agent_fini(struct agent *a);

/* One raw record through the pipeline (the sensor callback). */
int agent_handle_record(void *ctx, const void *data, size_t size);

#endif
