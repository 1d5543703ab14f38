/* SPDX-License-Identifier: GPL-2.0 */
/*
 * engine.h - evaluate the ruleset on each enriched event: only the rules
 * indexed under the event's type, exceptions, scope, and windows for
 * stateful rules (bounded state). Produces alerts through a callback.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include "detect/policy.h"
#include "enrich/proctable.h"

#define ALERT_MESSAGE_MAX 1024

struct alert {
	const struct rule *rule;
	const char *action;	/* alerted, would_kill, killed, blocked, ... (respond.h) */
	const char *by;		/* who acted: kernel, fanotify, userspace; NULL: nobody */
	int64_t respond_latency_us;	/* event to action; -1 when nothing was done */
	const char *incident_id;	/* the incident bundle it belongs to, or NULL */
	const char *incident_path;
	char message[ALERT_MESSAGE_MAX];
};

typedef void (*alert_fn)(void *ctx, const struct alert *a, const struct enriched_event *e);

struct engine;

/* New engine over rs (the engine owns it). NULL on allocation failure. */
struct engine *engine_new(struct ruleset *rs);

/* Replace the rules (the old ruleset is freed, window state reset). */
int engine_swap(struct engine *en, struct ruleset *rs);

const struct ruleset *engine_rules(const struct engine *en);

/* What rules may consult besides the event (either may be NULL). */
struct engine_env {
	struct proc_table *procs;
	struct exe_hashes *hashes;
};

/* Evaluate e; calls fn for every alert. Returns the number of alerts. */
int engine_eval(struct engine *en, const struct enriched_event *e, const struct engine_env *env,
		alert_fn fn, void *ctx);

/* Times rule i (its index in the ruleset) matched since the last swap. */
uint64_t engine_matches(const struct engine *en, size_t i);

void engine_free(struct engine *en);

/* Render a rule's output template for e into buf. */
void engine_render(const struct rule *r, const struct enriched_event *e,
		   const struct engine_env *env, char *buf, size_t len);

#endif
