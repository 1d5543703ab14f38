// SPDX-License-Identifier: GPL-2.0
/* engine.c - see engine.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect/engine.h"

#define WINDOW_SLOTS 1024	/* per windowed rule: keys tracked at once */

/* One key of a windowed rule: when its window opened, what it has seen. */
struct window_slot {
	uint64_t key;		/* hash of the key fields; 0 = empty */
	uint64_t start_ns;
	uint32_t count;		/* matches, or distinct values seen */
	uint64_t *seen;		/* distinct value hashes (window.count of them) */
};

struct window_state {
	struct window_slot slots[WINDOW_SLOTS];
};

struct engine {
	struct ruleset *rs;
	uint64_t *matches;			/* per rule */
	struct window_state **windows;		/* per rule, NULL when not windowed */
};

static void windows_free(struct engine *en)
{
	for (size_t i = 0; en->rs && en->windows && i < en->rs->n; i++) {
		if (!en->windows[i])
			continue;
		for (size_t s = 0; s < WINDOW_SLOTS; s++)
			free(en->windows[i]->slots[s].seen);
		free(en->windows[i]);
	}
	free(en->windows);
	en->windows = NULL;
}

int engine_swap(struct engine *en, struct ruleset *rs)
{
	uint64_t *matches = calloc(rs->n ? rs->n : 1, sizeof(*matches));
	struct window_state **w = calloc(rs->n ? rs->n : 1, sizeof(*w));

	if (!matches || !w) {
		free(matches);
		free(w);
		return -ENOMEM;
	}
	windows_free(en);
	ruleset_free(en->rs);
	free(en->matches);
	en->rs = rs;
	en->matches = matches;
	en->windows = w;
	return 0;
}

struct engine *engine_new(struct ruleset *rs)
{
	struct engine *en = calloc(1, sizeof(*en));

	if (en && engine_swap(en, rs)) {
		free(en);
		return NULL;
	}
	return en;
}

void engine_free(struct engine *en)
{
	if (!en)
		return;
	windows_free(en);
	ruleset_free(en->rs);
	free(en->matches);
	free(en);
}

const struct ruleset *engine_rules(const struct engine *en)
{
	return en->rs;
}

uint64_t engine_matches(const struct engine *en, size_t i)
{
	return i < en->rs->n ? en->matches[i] : 0;
}

/* FNV-1a over a field's value, as text or number. */
static uint64_t hash_value(uint64_t h, const struct fval *v, bool present)
{
	const unsigned char *p;
	size_t n;

	if (!present) {
		p = (const unsigned char *)"\x01<absent>";
		n = 9;
	} else if (v->type == FT_STR || v->type == FT_ADDR) {
		p = (const unsigned char *)v->s;
		n = v->len;
	} else {
		p = (const unsigned char *)&v->i;
		n = sizeof(v->i);
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;	/* separator between fields */
}

static uint64_t hash_fields(const struct field_def *const *f, int n, const struct field_ctx *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < n; i++) {
		struct fval v;

		h = hash_value(h, &v, field_get(f[i], c, 0, &v) == 0);
	}
	return h ? h : 1;
}

/*
 * Count a match of windowed rule r; true when it reaches the threshold
 * (then the key starts over, so a scan raises one alert, not one per port).
 */
static bool window_hit(struct engine *en, const struct rule *r, const struct field_ctx *c)
{
	const struct window_spec *w = &r->window;
	struct window_state *ws = en->windows[r->index];
	uint64_t now = c->e->v.hdr->ts_ns, key, val = 0;
	struct window_slot *s;

	if (!ws) {
		ws = en->windows[r->index] = calloc(1, sizeof(*ws));
		if (!ws)
			return false;
	}
	key = hash_fields(w->key, w->nkeys, c);
	s = &ws->slots[key % WINDOW_SLOTS];
	if (s->key != key || now - s->start_ns > w->window_ns) {
		s->key = key;	/* new key, or its window expired: start over */
		s->start_ns = now;
		s->count = 0;
	}
	if (w->distinct) {
		val = hash_fields(&w->distinct, 1, c);
		for (uint32_t i = 0; i < s->count; i++)
			if (s->seen[i] == val)
				return false;
		if (!s->seen && !(s->seen = calloc(w->count, sizeof(*s->seen))))
			return false;
		s->seen[s->count] = val;
	}
	if (++s->count < w->count)
		return false;
	s->key = 0;
	return true;
}

static bool in_scope(const struct rule *r, const struct enriched_event *e)
{
	bool host = !e->ctr || e->ctr->ref.runtime == CRT_HOST;

	return r->scope == SCOPE_BOTH || (r->scope == SCOPE_HOST) == host;
}

static const char *action_done(enum rule_action a)
{
	/* without a responder, kill and block rules report what they would do */
	switch (a) {
	case ACT_KILL: return "would_kill";
	case ACT_BLOCK: return "would_block";
	default: return "alerted";
	}
}

static struct field_ctx env_ctx(const struct enriched_event *e, const struct engine_env *env)
{
	struct field_ctx c = { e, env ? env->procs : NULL, env ? env->hashes : NULL };

	return c;
}

void engine_render(const struct rule *r, const struct enriched_event *e,
		   const struct engine_env *env, char *buf, size_t len)
{
	struct field_ctx c = env_ctx(e, env);
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->noutput && n < len; i++) {
		const struct out_seg *seg = &r->output[i];
		struct fval v;

		n += snprintf(buf + n, len - n, "%s", seg->lit);
		if (!seg->field || n >= len)
			continue;
		if (field_get(seg->field, &c, seg->idx, &v))
			n += snprintf(buf + n, len - n, "<NA>");
		else if (v.type == FT_STR || v.type == FT_ADDR)
			n += snprintf(buf + n, len - n, "%.*s", (int)v.len, v.s);
		else if (v.type == FT_BOOL)
			n += snprintf(buf + n, len - n, "%s", v.i ? "true" : "false");
		else
			n += snprintf(buf + n, len - n, "%lld", (long long)v.i);
	}
}

int engine_eval(struct engine *en, const struct enriched_event *e, const struct engine_env *env,
		alert_fn fn, void *ctx)
{
	unsigned int type = e->v.hdr->type;
	struct field_ctx c = env_ctx(e, env);
	int alerts = 0;

	for (size_t i = 0; i < en->rs->nby_type[type]; i++) {
		const struct rule *r = en->rs->by_type[type][i];
		struct alert a = { .respond_latency_us = -1 };
		bool excepted = false;

		if (!in_scope(r, e) || !expr_eval(r->cond, &c))
			continue;
		for (size_t x = 0; x < r->nexceptions && !excepted; x++)
			excepted = expr_eval(r->exceptions[x], &c);
		if (excepted || (r->has_window && !window_hit(en, r, &c)))
			continue;
		en->matches[r->index]++;
		a.rule = r;
		a.action = action_done(r->action);
		a.by = NULL;
		a.respond_latency_us = -1;
		engine_render(r, e, env, a.message, sizeof(a.message));
		fn(ctx, &a, e);
		alerts++;
	}
	return alerts;
}
