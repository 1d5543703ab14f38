/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - what vigil measures of itself, for GET /metrics.
 *
 * The agent's loop keeps the numbers in a struct metrics_data of its own,
 * updated without locks or atomics on the event path, and publishes a copy
 * about once a second (metrics_publish). The HTTP thread renders only the
 * published copy, under the same mutex, so a scrape never races the loop
 * and never costs the loop more than that copy.
 */
#ifndef VIGIL_METRICS_H
#define VIGIL_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vigil_abi.h"

/* Latency buckets, seconds: 50 us to 5 s. */
#define METRICS_LAT_BOUNDS	14
extern const double metrics_lat_bounds[METRICS_LAT_BOUNDS];

struct metrics_hist {
	uint64_t counts[METRICS_LAT_BOUNDS + 1];
	double sum;
};

#define METRICS_RULES_MAX	512
#define METRICS_ACTIONS_MAX	32
#define METRICS_OUTPUTS_MAX	8

struct metrics_rule {
	char id[32];
	char severity[16];
	uint64_t alerts;
};

struct metrics_action {
	char action[24];	/* killed, denied, blocked, would_kill, ... */
	char by[16];		/* kernel, fanotify, userspace, "" */
	uint64_t n;
};

struct metrics_output {
	char name[32];
	uint64_t queued, delivered, failed, spooled, spool_bytes, dropped;
	bool healthy;
};

struct metrics_data {
	uint64_t received[VGL_EV_MAX];		/* records decoded, by type */
	uint64_t kernel_submitted[VGL_EV_MAX];
	uint64_t kernel_lost[VGL_EV_MAX];	/* ring buffer full, by type */
	uint64_t lost_ringbuf, lost_nested, paths_truncated;
	uint64_t decode_errors, write_errors;
	struct metrics_rule rules[METRICS_RULES_MAX];
	size_t nrules;
	uint64_t rules_overflow;		/* alerts of rules beyond METRICS_RULES_MAX */
	struct metrics_action actions[METRICS_ACTIONS_MAX];
	size_t nactions;
	struct metrics_hist detect_latency;	/* kernel event to alert written */
	struct metrics_hist respond_latency;	/* kernel event to action taken */
	struct metrics_hist rule_eval;		/* rule evaluation per event */
	struct metrics_output outputs[METRICS_OUTPUTS_MAX];
	size_t noutputs;
	uint64_t processes, containers;
	uint64_t rules_loaded;
	uint64_t reloads, reload_failures;
};

void metrics_observe(struct metrics_hist *h, double seconds);
void metrics_count_alert(struct metrics_data *d, const char *rule_id, const char *severity);
void metrics_count_action(struct metrics_data *d, const char *action, const char *by);

struct metrics {
	pthread_mutex_t lock;
	struct metrics_data pub;	/* the published copy */
	bool published;
};

void metrics_init(struct metrics *m);
void metrics_publish(struct metrics *m, const struct metrics_data *d);

/* The exposition text of the published copy, plus vigil's own CPU time and
 * memory read now. 0 or -errno. Thread-safe. */
int metrics_write(struct metrics *m, FILE *out);

#endif
