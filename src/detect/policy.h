/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h - YAML policies (lists, macros, rules) compiled into a ruleset.
 *
 * A ruleset is built from the embedded default policy and the user's files
 * in order: a later list or macro of the same name replaces the earlier, a
 * later rule with the same id replaces it, and `{id: X, enabled: false}`
 * turns one off. Either every rule compiles or the build fails with every
 * problem reported as FILE:LINE:COL: nothing is ever half loaded.
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "detect/expr.h"

struct diag {
	char *file;
	int line;		/* 1-based */
	int col;		/* 1-based */
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n;
};

void diags_add(struct diags *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diags_print(const struct diags *d, FILE *f);
void diags_free(struct diags *d);

struct policy_source {
	const char *name;	/* file path, or "<default>" */
	const char *text;	/* NUL-terminated */
	size_t len;
};

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };
enum rule_action { ACT_ALERT, ACT_KILL, ACT_BLOCK };
enum rule_scope { SCOPE_BOTH, SCOPE_HOST, SCOPE_CONTAINERS };

const char *severity_name(enum severity s);
const char *rule_action_name(enum rule_action a);
const char *rule_scope_name(enum rule_scope s);

/* One piece of an output template: literal text, then optionally a field. */
struct out_seg {
	char *lit;
	const struct field_def *field;	/* NULL: literal only */
	int idx;
};

#define WINDOW_KEYS_MAX 4
#define WINDOW_COUNT_MAX 256	/* bounds the memory of distinct counting */

/* Stateful rules: fire when `count` distinct values of `distinct` (or
 * `count` matches, without distinct) share a key within `seconds`. */
struct window_spec {
	const struct field_def *key[WINDOW_KEYS_MAX];
	int nkeys;
	const struct field_def *distinct;	/* may be NULL */
	uint32_t count;
	uint64_t window_ns;
};

struct rule {
	char *id;
	char *name;
	char *description;
	char *false_positives;
	char *source;			/* "file:line" of its definition */
	enum severity severity;
	enum rule_action action;
	enum rule_scope scope;
	char **mitre;
	size_t nmitre;
	char **tags;
	size_t ntags;
	char *condition_text;
	struct expr *cond;
	struct expr **exceptions;
	char **exception_names;
	size_t nexceptions;
	struct out_seg *output;
	size_t noutput;
	bool has_window;
	struct window_spec window;
	event_mask_t events;		/* types that can trigger it */
	uint32_t index;			/* position in the ruleset */
};

struct ruleset {
	struct rule **rules;		/* enabled rules, in policy order */
	size_t n;
	struct rule **by_type[VGL_EV_MAX];
	size_t nby_type[VGL_EV_MAX];
	event_mask_t events;		/* what the kernel must send */
	struct policy_store *store;	/* lists and macros the rules point into */
};

struct ruleset_opts {
	const struct policy_source *srcs;
	size_t nsrcs;
	const char *const *disabled;	/* rule ids turned off (--disable-rule) */
	size_t ndisabled;
};

/* Build. 0, or -EINVAL with every problem in d (the caller frees d). */
int ruleset_build(const struct ruleset_opts *opts, struct ruleset **out, struct diags *d);
void ruleset_free(struct ruleset *rs);

/* The default policy embedded in the binary (every policy/NAME.yaml, in name order):
 * fills up to max sources, returns how many. Not to be freed. */
#define POLICY_DEFAULTS_MAX 32
size_t policy_defaults(struct policy_source *out, size_t max);

/* Read a policy file. 0, or -errno with a diag naming the file. */
int policy_read_file(const char *path, struct policy_source *out, struct diags *d);
void policy_source_free(struct policy_source *s);

#endif
