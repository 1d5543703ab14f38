// SPDX-License-Identifier: GPL-2.0
/*
 * exec_plan.c - see exec_plan.h.
 *
 * A condition is compiled by turning it into disjunctive normal form over
 * literals (a fact bit, or its negation), negations pushed down to the
 * comparisons. A comparison the kernel cannot compute is an "unknown"
 * literal; every term that holds one is left to userspace. Each remaining
 * term implies the condition on its own, so the kernel acts on a subset of
 * what the rule matches, never on more: that is how a rule becomes hybrid.
 * An exception term cannot be dropped that way (the kernel would act where
 * the exception says not to), so an unknown in an exception keeps the rule
 * out of the kernel.
 *
 * Learned sets are facts the kernel looks up in maps userspace fills while
 * running: a file's hash (entered once userspace has hashed it), a cgroup's
 * container (entered once userspace knows it). A miss must never make the
 * kernel act where userspace would not, so a hash list is only used where
 * it makes a term match (positive, in the condition), and a rule that
 * tests containers acts in the kernel only for classified cgroups
 * (VGL_FACT_CGROUP_KNOWN). Both rules stay hybrid: userspace decides what
 * the kernel could not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "respond/exec_plan.h"
#include "detect/expr.h"
#include "output/format.h"
#include "sensor/sensor.h"

#define DNF_MAX		16	/* terms per condition */
#define SETS_MAX	(64 - VGL_FACT_FIXED)

struct term {
	uint64_t must, must_not;
	bool unknown;		/* holds a comparison only userspace can make */
};

struct dnf {
	struct term t[DNF_MAX];
	size_t n;
};

/* Compilation state of one plan: the fact bits given to name and path
 * sets so far, by a canonical key, so equal sets share a bit. */
struct set_bit {
	char *key;
	unsigned int bit;
};

struct compiler {
	struct exec_plan *p;
	struct set_bit sets[SETS_MAX];
	size_t nsets;
	char why[160];
	uint64_t hash_bits;	/* bits of the hash sets */
	bool in_exception;	/* compiling an exception */
	bool tests_container;	/* the rule being compiled uses a container set */
};

static int refuse(struct compiler *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int refuse(struct compiler *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->why[0]) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof(c->why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A comparison the kernel cannot make: 1, the first reason kept. */
static int unknown(struct compiler *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int unknown(struct compiler *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->why[0]) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof(c->why), fmt, ap);
		va_end(ap);
	}
	return 1;
}

/* Drop the terms only userspace can decide; true if any was dropped. */
static bool dnf_drop_unknown(struct dnf *d)
{
	size_t k = 0;

	for (size_t i = 0; i < d->n; i++)
		if (!d->t[i].unknown)
			d->t[k++] = d->t[i];
	bool dropped = k != d->n;
	d->n = k;
	return dropped;
}

/* ---- DNF algebra ---- */

static void dnf_true(struct dnf *d)
{
	d->n = 1;
	d->t[0].must = d->t[0].must_not = 0;
	d->t[0].unknown = false;
}

static void dnf_unknown(struct dnf *d)
{
	dnf_true(d);
	d->t[0].unknown = true;
}

static void dnf_literal(struct dnf *d, unsigned int bit, bool positive)
{
	dnf_true(d);
	if (positive)
		d->t[0].must = 1ULL << bit;
	else
		d->t[0].must_not = 1ULL << bit;
}

static int dnf_or(struct compiler *c, struct dnf *a, const struct dnf *b)
{
	if (a->n + b->n > DNF_MAX)
		return refuse(c, "more than %d alternatives", DNF_MAX);
	memcpy(&a->t[a->n], b->t, b->n * sizeof(b->t[0]));
	a->n += b->n;
	return 0;
}

/* a := a AND b, distributing; contradictory terms vanish. */
static int dnf_and(struct compiler *c, struct dnf *a, const struct dnf *b)
{
	struct dnf out = { .n = 0 };

	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			struct term t = { a->t[i].must | b->t[j].must,
					  a->t[i].must_not | b->t[j].must_not,
					  a->t[i].unknown || b->t[j].unknown };

			if (t.must & t.must_not)
				continue;
			if (out.n == DNF_MAX)
				return refuse(c, "more than %d alternatives", DNF_MAX);
			out.t[out.n++] = t;
		}
	*a = out;
	return 0;
}

/* ---- name and path sets ---- */

static uint64_t *name_entry(struct exec_plan *p, unsigned int kind, const char *s, size_t len)
{
	struct vgl_enf_name_key key = { .kind = kind };
	struct exec_plan_name *nv;

	memcpy(key.name, s, len);
	for (size_t i = 0; i < p->nnames; i++)
		if (!memcmp(&p->names[i].key, &key, sizeof(key)))
			return &p->names[i].bits;
	nv = realloc(p->names, (p->nnames + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	p->names = nv;
	nv[p->nnames].key = key;
	nv[p->nnames].bits = 0;
	return &nv[p->nnames++].bits;
}

uint64_t exec_plan_fnv(const char *s, size_t len)
{
	uint64_t h = VGL_FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * VGL_FNV_PRIME;
	return h;
}

static uint64_t *path_entry(struct exec_plan *p, unsigned int kind, const char *s, size_t len)
{
	struct vgl_enf_path_key key = { .hash = exec_plan_fnv(s, len), .len = len, .kind = kind };
	struct exec_plan_path *nv;

	for (size_t i = 0; i < p->npaths; i++)
		if (!memcmp(&p->paths[i].key, &key, sizeof(key)))
			return &p->paths[i].bits;
	nv = realloc(p->paths, (p->npaths + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	p->paths = nv;
	nv[p->npaths].key = key;
	nv[p->npaths].bits = 0;
	nv[p->npaths].s = strndup(s, len);
	if (!nv[p->npaths].s)
		return NULL;
	return &nv[p->npaths++].bits;
}

static uint64_t *hash_entry(struct exec_plan *p, const char *s, size_t len)
{
	struct exec_plan_hash *nv;
	char hex[65] = "";

	for (size_t i = 0; i < len; i++)
		hex[i] = s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i];
	for (size_t i = 0; i < p->nhashes; i++)
		if (!strcmp(p->hashes[i].hex, hex))
			return &p->hashes[i].bits;
	nv = realloc(p->hashes, (p->nhashes + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	p->hashes = nv;
	memcpy(nv[p->nhashes].hex, hex, sizeof(hex));
	nv[p->nhashes].bits = 0;
	return &nv[p->nhashes++].bits;
}

static bool is_sha256_hex(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

enum set_kind { SET_COMM, SET_PCOMM, SET_EXE_NAME, SET_PATH_PREFIX, SET_PATH_EXACT, SET_SHA256 };

static const struct { const char *tag; size_t max; } set_kinds[] = {
	[SET_COMM] = { "comm", VGL_COMM_LEN - 1 },
	[SET_PCOMM] = { "pcomm", VGL_COMM_LEN - 1 },
	[SET_EXE_NAME] = { "exe_name", VGL_ENF_NAME_LEN - 1 },
	[SET_PATH_PREFIX] = { "prefix", VGL_ENF_PATH_SCAN },
	[SET_PATH_EXACT] = { "path", VGL_ENF_PATH_SCAN },
	[SET_SHA256] = { "sha256", 64 },
};

static uint64_t *set_entry(struct exec_plan *p, enum set_kind k, const char *s, size_t len)
{
	switch (k) {
	case SET_COMM: return name_entry(p, VGL_ENF_COMM, s, len);
	case SET_PCOMM: return name_entry(p, VGL_ENF_PCOMM, s, len);
	case SET_EXE_NAME: return name_entry(p, VGL_ENF_EXE_NAME, s, len);
	case SET_PATH_PREFIX: return path_entry(p, VGL_ENF_PATH_PREFIX, s, len);
	case SET_PATH_EXACT: return path_entry(p, VGL_ENF_PATH_EXACT, s, len);
	case SET_SHA256: return hash_entry(p, s, len);
	}
	return NULL;
}

/*
 * The canonical key of a set (tag and values) into key, and whether it has
 * a bit already: 0 with *bit set, 1 when a new bit is to be made, -1 when
 * the key is too long or the bits are used up (reason kept).
 */
static int set_known(struct compiler *c, char *key, size_t size, const char *tag,
		     const struct expr *x, size_t nvals, unsigned int *bit)
{
	size_t n = snprintf(key, size, "%s", tag);
	struct expr_value v;

	for (size_t i = 0; i < nvals && n < size; i++) {
		expr_value_at(x, i, &v);
		n += snprintf(key + n, size - n, "\x1f%.*s", (int)v.len, v.s);
	}
	if (n >= size)
		return refuse(c, "a value list too long for the kernel");
	for (size_t i = 0; i < c->nsets; i++)
		if (!strcmp(c->sets[i].key, key)) {
			*bit = c->sets[i].bit;
			return 0;
		}
	if (c->p->next_bit >= 64)
		return refuse(c, "more than %d name, path, hash and container sets", SETS_MAX);
	return 1;
}

/* The bit of "field value is one of x's values" (kind k), made on first use. */
static int set_bit(struct compiler *c, enum set_kind k, const struct expr *x, size_t nvals,
		   unsigned int *bit)
{
	char key[4096];
	struct expr_value v;
	int r = set_known(c, key, sizeof(key), set_kinds[k].tag, x, nvals, bit);

	if (r <= 0)
		return r;
	*bit = c->p->next_bit;
	for (size_t i = 0; i < nvals; i++) {
		uint64_t *bits;

		expr_value_at(x, i, &v);
		/* a command name is cut at 15 characters: a longer value never equals it */
		if (v.len > set_kinds[k].max && (k == SET_COMM || k == SET_PCOMM))
			continue;
		if (v.len > set_kinds[k].max || v.len == 0)
			return refuse(c, "value '%.*s' longer than the kernel compares", (int)v.len,
				      v.s);
		if (k == SET_PATH_PREFIX && v.s[v.len - 1] != '/')
			return refuse(c, "prefix '%.*s' does not end with '/'", (int)v.len, v.s);
		if (k == SET_SHA256 && !is_sha256_hex(v.s, v.len))
			continue;	/* never equals a SHA-256 */
		bits = set_entry(c->p, k, v.s, v.len);
		if (!bits)
			return refuse(c, "out of memory");
		*bits |= 1ULL << *bit;
	}
	c->sets[c->nsets].key = strdup(key);
	if (!c->sets[c->nsets].key)
		return refuse(c, "out of memory");
	c->sets[c->nsets++].bit = *bit;
	c->p->next_bit++;
	if (k == SET_SHA256)
		c->hash_bits |= 1ULL << *bit;
	return 0;
}

/* The bit of one comparison on container metadata, made on first use. */
static int container_bit(struct compiler *c, const struct expr *x, const struct expr_node *n,
			 unsigned int *bit)
{
	struct exec_plan_ctrset *nv;
	char key[4096], tag[160];
	int r;

	snprintf(tag, sizeof(tag), "ctr\x1f%s\x1f%d", n->field->name, n->op);
	r = set_known(c, key, sizeof(key), tag, x, n->nvals, bit);
	if (r <= 0)
		return r;
	nv = realloc(c->p->ctrsets, (c->p->nctrsets + 1) * sizeof(*nv));
	if (!nv)
		return refuse(c, "out of memory");
	c->p->ctrsets = nv;
	c->sets[c->nsets].key = strdup(key);
	if (!c->sets[c->nsets].key)
		return refuse(c, "out of memory");
	*bit = c->p->next_bit++;
	c->sets[c->nsets++].bit = *bit;
	nv[c->p->nctrsets].cmp = x;
	nv[c->p->nctrsets++].bit = *bit;
	return 0;
}

/* ---- comparisons ---- */

enum lit_kind { LIT_FALSE, LIT_TRUE, LIT_FACT };

struct lit {
	enum lit_kind kind;
	unsigned int bit;
	bool positive;
};

static const struct { const char *field; enum vgl_fact fact; } bool_facts[] = {
	{ "proc.is_memfd", VGL_FACT_MEMFD },
	{ "proc.exe_deleted", VGL_FACT_DELETED },
	{ "proc.exe_on_tmpfs", VGL_FACT_TMPFS },
	{ "proc.exe_written", VGL_FACT_WRITTEN },
	{ "proc.exe_upper_layer", VGL_FACT_UPPER_LAYER },
	{ "proc.exe_setuid", VGL_FACT_SETUID },
	{ "proc.is_script", VGL_FACT_SCRIPT },
	{ "proc.exe_outside_root", VGL_FACT_OUTSIDE_ROOT },
	{ "proc.exe_in_tmp", VGL_FACT_EXE_IN_TMP },
	{ "proc.execer_protected", VGL_FACT_EXECER_PROTECTED },
	{ "container.is", VGL_FACT_IN_CONTAINER },
};

static const struct { const char *field; enum vgl_fact fact; } stdio_facts[] = {
	{ "proc.stdin", VGL_FACT_STDIN_SOCKET },
	{ "proc.stdout", VGL_FACT_STDOUT_SOCKET },
	{ "proc.stderr", VGL_FACT_STDERR_SOCKET },
};

static bool value_is(const struct expr *x, size_t i, const char *s)
{
	struct expr_value v;

	expr_value_at(x, i, &v);
	return v.s && v.len == strlen(s) && !memcmp(v.s, s, v.len);
}

static void lit_fact(struct lit *l, unsigned int bit, bool positive)
{
	l->kind = LIT_FACT;
	l->bit = bit;
	l->positive = positive;
}

static void lit_const(struct lit *l, bool v)
{
	l->kind = v ? LIT_TRUE : LIT_FALSE;
}

/* A comparison with one value under = or !=: its polarity, or -1. */
static int eq_polarity(const struct expr_node *n)
{
	if (n->nvals != 1)
		return -1;
	if (n->op == EXPR_OP_EQ || (n->op == EXPR_OP_IN))
		return 1;
	return n->op == EXPR_OP_NE ? 0 : -1;
}

static int compile_evt(struct compiler *c, const struct expr *x, const struct expr_node *n,
		       const char *f, struct lit *l)
{
	struct expr_value v;

	if (!strcmp(f, "evt.type") && (n->op == EXPR_OP_EQ || n->op == EXPR_OP_IN ||
				       n->op == EXPR_OP_NE)) {
		bool has_exec = false;

		for (size_t i = 0; i < n->nvals; i++)
			has_exec |= value_is(x, i, "exec");
		lit_const(l, n->op == EXPR_OP_NE ? !has_exec : has_exec);
		return 0;
	}
	if (!strcmp(f, "evt.res") && eq_polarity(n) >= 0) {
		/* the exec tracepoint only sees execs that succeeded */
		expr_value_at(x, 0, &v);
		lit_const(l, (v.i == 0) == (eq_polarity(n) == 1));
		return 0;
	}
	if (!strcmp(f, "evt.failed") && (n->op == EXPR_OP_TRUE || eq_polarity(n) >= 0)) {
		bool want = n->op == EXPR_OP_TRUE ? true : (expr_value_at(x, 0, &v), v.i != 0);

		lit_const(l, n->op == EXPR_OP_NE ? want : !want);
		return 0;
	}
	return unknown(c, "'%s' is not decided at exec in the kernel", f);
}

static int compile_fixed(struct compiler *c, const struct expr *x, const struct expr_node *n,
			 const char *f, struct lit *l)
{
	struct expr_value v;
	int pol = eq_polarity(n);

	for (size_t i = 0; i < sizeof(bool_facts) / sizeof(bool_facts[0]); i++) {
		if (strcmp(f, bool_facts[i].field))
			continue;
		if (n->op == EXPR_OP_TRUE) {
			lit_fact(l, bool_facts[i].fact, true);
			return 0;
		}
		if (pol < 0)
			break;
		expr_value_at(x, 0, &v);
		lit_fact(l, bool_facts[i].fact, (v.i != 0) == (pol == 1));
		return 0;
	}
	for (size_t i = 0; i < sizeof(stdio_facts) / sizeof(stdio_facts[0]); i++)
		if (!strcmp(f, stdio_facts[i].field) && pol >= 0 && value_is(x, 0, "socket")) {
			lit_fact(l, stdio_facts[i].fact, pol == 1);
			return 0;
		}
	if (!strcmp(f, "container.id") && pol >= 0 && value_is(x, 0, "host")) {
		lit_fact(l, VGL_FACT_IN_CONTAINER, pol == 0);
		return 0;
	}
	if (!strcmp(f, "proc.ld_preload") && pol >= 0 && value_is(x, 0, "")) {
		lit_fact(l, VGL_FACT_LD_PRELOAD, pol == 0);
		return 0;
	}
	if (!strcmp(f, "user.euid") && pol >= 0 && (expr_value_at(x, 0, &v), v.i == 0)) {
		lit_fact(l, VGL_FACT_EUID0, pol == 1);
		return 0;
	}
	return 1;	/* not a fixed fact */
}

static int compile_set(struct compiler *c, const struct expr *x, const struct expr_node *n,
		       const char *f, struct lit *l)
{
	static const struct { const char *field; enum set_kind eq, starts; } set_fields[] = {
		{ "proc.name", SET_COMM, -1 },
		{ "proc.pname", SET_PCOMM, -1 },
		{ "proc.exe_name", SET_EXE_NAME, -1 },
		{ "proc.exe", SET_PATH_EXACT, SET_PATH_PREFIX },
		{ "proc.exepath", SET_PATH_EXACT, SET_PATH_PREFIX },
	};
	unsigned int bit;

	for (size_t i = 0; i < sizeof(set_fields) / sizeof(set_fields[0]); i++) {
		if (strcmp(f, set_fields[i].field))
			continue;
		if (n->op == EXPR_OP_EQ || n->op == EXPR_OP_IN || n->op == EXPR_OP_NE) {
			if (set_bit(c, set_fields[i].eq, x, n->nvals, &bit))
				return -1;
			lit_fact(l, bit, n->op != EXPR_OP_NE);
			return 0;
		}
		if (n->op == EXPR_OP_STARTSWITH && (int)set_fields[i].starts >= 0) {
			if (set_bit(c, set_fields[i].starts, x, n->nvals, &bit))
				return -1;
			lit_fact(l, bit, true);
			return 0;
		}
		return unknown(c, "'%s' is compared in a way the kernel does not", f);
	}
	if (!strcmp(f, "proc.exe_sha256") && (n->op == EXPR_OP_EQ || n->op == EXPR_OP_IN)) {
		if (!n->nvals) {	/* an empty list (the default one) never matches */
			lit_const(l, false);
			return 0;
		}
		if (set_bit(c, SET_SHA256, x, n->nvals, &bit))
			return -1;
		lit_fact(l, bit, true);
		return 0;
	}
	if (!strncmp(f, "container.", 10) || !strncmp(f, "k8s.", 4)) {
		if (n->op == EXPR_OP_IN && !n->nvals) {	/* an empty allowance list */
			lit_const(l, false);
			return 0;
		}
		if (container_bit(c, x, n, &bit))
			return -1;
		c->tests_container = true;
		lit_fact(l, bit, true);
		return 0;
	}
	return unknown(c, "'%s' is not known to the kernel at exec", f);
}

static int compile_cmp(struct compiler *c, const struct expr *x, const struct expr_node *n,
		       struct lit *l)
{
	const char *f = n->field->name;
	int r;

	if (n->idx > 0)
		return unknown(c, "ancestors ('%s[%d]') are known in userspace only", f, n->idx);
	if (n->idx < 0)
		return unknown(c, "ancestors ('%s') are known in userspace only", f);
	if (!strncmp(f, "evt.", 4))
		return compile_evt(c, x, n, f, l);
	r = compile_fixed(c, x, n, f, l);
	if (r <= 0)
		return r;
	return compile_set(c, x, n, f, l);
}

/* ---- conditions ---- */

static int compile_node(struct compiler *c, const struct expr *x, bool neg, struct dnf *out)
{
	struct expr_node n;
	struct dnf *r;
	struct lit l = { LIT_FALSE, 0, false };
	int err;

	expr_inspect(x, &n);
	switch (n.kind) {
	case EXPR_NOT:
		return compile_node(c, n.l, !neg, out);
	case EXPR_AND:
	case EXPR_OR:
		if (compile_node(c, n.l, neg, out))
			return -1;
		r = malloc(sizeof(*r));
		if (!r)
			return refuse(c, "out of memory");
		err = compile_node(c, n.r, neg, r);
		if (!err)	/* De Morgan: a negated AND is an OR */
			err = (n.kind == EXPR_AND) != neg ? dnf_and(c, out, r) : dnf_or(c, out, r);
		free(r);
		return err;
	case EXPR_CMP:
		err = compile_cmp(c, x, &n, &l);
		if (err < 0)
			return -1;
		if (err > 0)
			dnf_unknown(out);	/* negated or not: still unknown */
		else if (l.kind == LIT_FACT && (c->hash_bits & 1ULL << l.bit) &&
			 (neg || c->in_exception)) {
			/* a file not hashed yet is a miss: only a match may rely on it */
			unknown(c, "a hash list is decided in the kernel only where it matches");
			dnf_unknown(out);
		} else if (l.kind == LIT_FACT)
			dnf_literal(out, l.bit, l.positive != neg);
		else if ((l.kind == LIT_TRUE) != neg)
			dnf_true(out);
		else
			out->n = 0;
		return 0;
	}
	return refuse(c, "unknown node");
}

/* ---- rules ---- */

struct rollback {
	size_t nnames, npaths, nhashes, nctrsets, nsets, nterms;
	unsigned int next_bit;
	uint64_t hash_bits;
};

static void mark(const struct compiler *c, struct rollback *rb)
{
	rb->nnames = c->p->nnames;
	rb->npaths = c->p->npaths;
	rb->nhashes = c->p->nhashes;
	rb->nctrsets = c->p->nctrsets;
	rb->hash_bits = c->hash_bits;
	rb->nsets = c->nsets;
	rb->nterms = c->p->set.nterms;
	rb->next_bit = c->p->next_bit;
}

/* Forget what a rule that did not fit added. */
static void roll_back(struct compiler *c, const struct rollback *rb)
{
	uint64_t keep = rb->next_bit >= 64 ? ~0ULL : (1ULL << rb->next_bit) - 1;
	struct exec_plan *p = c->p;

	for (size_t i = rb->npaths; i < p->npaths; i++)
		free(p->paths[i].s);
	p->nnames = rb->nnames;
	p->npaths = rb->npaths;
	p->nhashes = rb->nhashes;
	p->nctrsets = rb->nctrsets;
	c->hash_bits = rb->hash_bits;
	for (size_t i = 0; i < p->nnames; i++)
		p->names[i].bits &= keep;
	for (size_t i = 0; i < p->npaths; i++)
		p->paths[i].bits &= keep;
	for (size_t i = 0; i < p->nhashes; i++)
		p->hashes[i].bits &= keep;
	for (size_t i = rb->nsets; i < c->nsets; i++)
		free(c->sets[i].key);
	c->nsets = rb->nsets;
	p->set.nterms = rb->nterms;
	p->next_bit = rb->next_bit;
}

static int add_terms(struct compiler *c, const struct dnf *d, unsigned int slot, bool except,
		     uint64_t must, uint64_t must_not)
{
	struct vgl_enf_exec_set *set = &c->p->set;

	for (size_t i = 0; i < d->n; i++) {
		struct vgl_enf_term *t;

		if (set->nterms == VGL_ENF_TERMS_MAX)
			return refuse(c, "the kernel's %d terms are used up", VGL_ENF_TERMS_MAX);
		t = &set->terms[set->nterms++];
		memset(t, 0, sizeof(*t));
		t->must = d->t[i].must | must;
		t->must_not = d->t[i].must_not | must_not;
		t->slot = slot;
		t->except = except;
	}
	return 0;
}

/*
 * Rules that use learned sets: with a container set the kernel acts only
 * on classified cgroups; with a hash list only on files already hashed.
 * Userspace decides the rest, so such a rule is hybrid.
 */
static void learned_terms(struct compiler *c, struct exec_plan_rule *pr, size_t first,
			  size_t end, bool *partial)
{
	struct vgl_enf_term *t = c->p->set.terms;

	for (size_t i = first; i < end; i++) {
		if (c->tests_container)
			t[i].must |= 1ULL << VGL_FACT_CGROUP_KNOWN;
		if (t[i].must & c->hash_bits)
			pr->learns_hashes = true;
	}
	if (c->tests_container && !*partial) {
		*partial = true;
		snprintf(c->why, sizeof(c->why), "containers are known to the kernel once "
			 "userspace has seen them");
	}
	if (pr->learns_hashes && !*partial) {
		*partial = true;
		snprintf(c->why, sizeof(c->why), "a file is known by hash once userspace has "
			 "hashed it");
	}
}

/* Match terms of r's condition; *partial when some alternatives stay in userspace. */
static int compile_condition(struct compiler *c, const struct rule *r, struct dnf *out,
			     bool *partial)
{
	if (compile_node(c, r->cond, false, out))
		return -1;
	*partial = dnf_drop_unknown(out);
	if (!out->n)
		return refuse(c, "%s", c->why[0] ? c->why : "the condition never holds at exec");
	return 0;
}

static int compile_rule(struct compiler *c, const struct rule *r, struct exec_plan_rule *pr,
			unsigned int slot)
{
	uint64_t must = 0, must_not = 0;
	struct dnf *d = malloc(sizeof(*d));
	size_t first_term = c->p->set.nterms, cond_end;
	bool partial;
	int err = -1;

	if (!d)
		return refuse(c, "out of memory");
	c->in_exception = false;
	c->tests_container = false;
	if (r->scope == SCOPE_CONTAINERS)
		must = 1ULL << VGL_FACT_IN_CONTAINER;
	else if (r->scope == SCOPE_HOST)
		must_not = 1ULL << VGL_FACT_IN_CONTAINER;
	if (r->has_window) {
		refuse(c, "it counts events over a window");
		goto out;
	}
	if (compile_condition(c, r, d, &partial) ||
	    add_terms(c, d, slot, false, must, must_not))
		goto out;
	cond_end = c->p->set.nterms;
	if (!partial)
		c->why[0] = '\0';
	c->in_exception = true;
	for (size_t i = 0; i < r->nexceptions; i++) {
		char why[sizeof(c->why)];

		snprintf(why, sizeof(why), "%s", c->why);
		c->why[0] = '\0';
		if (compile_node(c, r->exceptions[i], false, d) || dnf_drop_unknown(d)) {
			char inner[sizeof(c->why)];

			snprintf(inner, sizeof(inner), "%s", c->why);
			snprintf(c->why, sizeof(c->why), "exception %.40s: %.80s",
				 r->exception_names[i], inner);
			goto out;
		}
		snprintf(c->why, sizeof(c->why), "%s", why);
		if (add_terms(c, d, slot, true, 0, 0))
			goto out;
	}
	learned_terms(c, pr, first_term, cond_end, &partial);
	pr->how = partial ? EXEC_PLAN_HYBRID : EXEC_PLAN_KERNEL;
	err = 0;
out:
	free(d);
	return err;
}

static void plan_rule(struct compiler *c, const struct rule *r, struct exec_plan_rule *pr)
{
	struct vgl_enf_exec_set *set = &c->p->set;
	unsigned int slot = 0;
	struct rollback rb;

	pr->rule = r;
	pr->how = EXEC_PLAN_USER;
	pr->slot = -1;
	pr->learns_hashes = false;
	c->why[0] = '\0';
	for (size_t i = 0; i < c->p->nrules; i++)
		if (c->p->rules[i].slot >= 0)
			slot++;
	if (slot >= VGL_ENF_SLOTS_MAX) {
		snprintf(pr->why, sizeof(pr->why), "the kernel's %d rule slots are used up",
			 VGL_ENF_SLOTS_MAX);
		return;
	}
	mark(c, &rb);
	if (compile_rule(c, r, pr, slot)) {
		roll_back(c, &rb);
		pr->how = EXEC_PLAN_USER;
		pr->learns_hashes = false;
		snprintf(pr->why, sizeof(pr->why), "%s", c->why);
		return;
	}
	pr->slot = slot;
	set->slot_rule[slot] = r->index;
	snprintf(pr->why, sizeof(pr->why), "%s", c->why);
}

int exec_plan_build(const struct ruleset *rs, struct exec_plan **out)
{
	struct compiler c = { 0 };
	struct exec_plan *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->next_bit = VGL_FACT_FIXED;
	p->rules = calloc(rs->n ? rs->n : 1, sizeof(*p->rules));
	if (!p->rules) {
		free(p);
		return -ENOMEM;
	}
	c.p = p;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];

		if (r->action != ACT_KILL || !(r->events & EVENT_BIT(VGL_EV_EXEC)))
			continue;
		plan_rule(&c, r, &p->rules[p->nrules]);
		p->nrules++;
	}
	for (size_t i = 0; i < c.nsets; i++)
		free(c.sets[i].key);
	*out = p;
	return 0;
}

void exec_plan_free(struct exec_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->npaths; i++)
		free(p->paths[i].s);
	free(p->paths);
	free(p->names);
	free(p->hashes);
	free(p->ctrsets);
	free(p->rules);
	free(p);
}

const struct exec_plan_rule *exec_plan_rule_at(const struct exec_plan *p, uint32_t index)
{
	for (size_t i = 0; p && i < p->nrules; i++)
		if (p->rules[i].rule->index == index)
			return &p->rules[i];
	return NULL;
}

/* ---- userspace evaluation ---- */

static uint64_t name_facts(const struct exec_plan *p, unsigned int kind, const char *s)
{
	struct vgl_enf_name_key key = { .kind = kind };
	size_t len = strlen(s);
	size_t max = kind == VGL_ENF_EXE_NAME ? VGL_ENF_NAME_LEN - 1 : VGL_COMM_LEN - 1;

	if (len > max) {
		if (kind == VGL_ENF_EXE_NAME)
			return 0;
		len = max;	/* comm is cut, as the kernel cuts it */
	}
	memcpy(key.name, s, len);
	for (size_t i = 0; i < p->nnames; i++)
		if (!memcmp(&p->names[i].key, &key, sizeof(key)))
			return p->names[i].bits;
	return 0;
}

static uint64_t path_facts(const struct exec_plan *p, const char *path)
{
	size_t len = strlen(path), scan = len < VGL_ENF_PATH_SCAN ? len : VGL_ENF_PATH_SCAN;
	uint64_t f = 0;

	for (size_t i = 0; i < p->npaths; i++) {
		const struct vgl_enf_path_key *k = &p->paths[i].key;
		size_t n = k->len;

		if (k->kind == VGL_ENF_PATH_EXACT ? n == len && len <= VGL_ENF_PATH_SCAN
						  : n <= scan && path[n - 1] == '/')
			if (exec_plan_fnv(path, n) == k->hash)
				f |= p->paths[i].bits;
	}
	return f;
}

uint64_t exec_plan_string_facts(const struct exec_plan *p, const char *path, const char *comm,
				const char *pcomm)
{
	uint64_t f = 0;

	if (comm)
		f |= name_facts(p, VGL_ENF_COMM, comm);
	if (pcomm)
		f |= name_facts(p, VGL_ENF_PCOMM, pcomm);
	if (path) {
		const char *base = strrchr(path, '/');

		f |= name_facts(p, VGL_ENF_EXE_NAME, base ? base + 1 : path);
		f |= path_facts(p, path);
	}
	return f;
}

uint64_t exec_plan_hash_facts(const struct exec_plan *p, const char *hex)
{
	for (size_t i = 0; hex && i < p->nhashes; i++)
		if (!strcmp(p->hashes[i].hex, hex))
			return p->hashes[i].bits;
	return 0;
}

uint64_t exec_plan_container_bits(const struct exec_plan *p)
{
	uint64_t all = 0;

	for (size_t i = 0; i < p->nctrsets; i++)
		all |= 1ULL << p->ctrsets[i].bit;
	return all;
}

uint64_t exec_plan_container_facts(const struct exec_plan *p, const struct container_info *ci)
{
	struct vgl_hdr hdr = { .type = VGL_EV_EXEC };
	struct enriched_event e = { .ctr = ci };
	struct field_ctx ctx = { .e = &e };
	uint64_t f = 0;

	e.v.hdr = &hdr;
	for (size_t i = 0; i < p->nctrsets; i++)
		if (expr_eval(p->ctrsets[i].cmp, &ctx))
			f |= 1ULL << p->ctrsets[i].bit;
	return f;
}

uint64_t exec_plan_string_bits(const struct exec_plan *p)
{
	uint64_t all = 0;

	for (size_t i = 0; i < p->nnames; i++)
		all |= p->names[i].bits;
	for (size_t i = 0; i < p->npaths; i++)
		all |= p->paths[i].bits;
	return all;
}

int exec_plan_decide(const struct exec_plan *p, uint64_t facts, uint64_t known)
{
	const struct vgl_enf_exec_set *set = &p->set;
	uint64_t matched = 0, excepted = 0, unsure = 0, acting;

	for (uint32_t i = 0; i < set->nterms; i++) {
		const struct vgl_enf_term *t = &set->terms[i];
		uint64_t slot = 1ULL << (t->slot & 63);

		if ((t->must | t->must_not) & ~known) {
			if (t->except)
				unsure |= slot;	/* an exception we cannot rule out */
			continue;
		}
		if ((facts & t->must) != t->must || (facts & t->must_not))
			continue;
		if (t->except)
			excepted |= slot;
		else
			matched |= slot;
	}
	acting = matched & ~excepted & ~unsure;
	if (!acting)
		return -1;
	return set->slot_rule[__builtin_ctzll(acting)];
}

/* ---- loading ---- */

/* Delete the entries of generation gen from a map whose keys carry it. */
static void delete_generation(int fd, size_t key_size, size_t kind_off, unsigned int gen)
{
	uint8_t key[64], next[64];
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		if ((key[kind_off] >> 4) == gen) {
			bpf_map_delete_elem(fd, key);
			/* the walk restarts: deleting the previous key can reset it */
			prev = NULL;
			continue;
		}
		prev = key;
	}
}

int exec_plan_install(struct exec_plan *p, struct sensor *s, unsigned int gen, bool kill)
{
	int names = sensor_map_fd(s, "enf_names"), paths = sensor_map_fd(s, "enf_paths");
	int sets = sensor_map_fd(s, "enf_exec_sets"), conf = sensor_map_fd(s, "enf_conf");
	struct vgl_enf_conf c = { .live = gen & 1, .kill = kill && p->set.nterms };
	uint32_t zero = 0, g = gen & 1;

	if (names < 0 || paths < 0 || sets < 0 || conf < 0)
		return -ENOENT;
	p->gen = g;
	delete_generation(names, sizeof(struct vgl_enf_name_key),
			  offsetof(struct vgl_enf_name_key, kind), g);
	delete_generation(paths, sizeof(struct vgl_enf_path_key),
			  offsetof(struct vgl_enf_path_key, kind), g);
	for (size_t i = 0; i < p->nnames; i++) {
		struct vgl_enf_name_key k = p->names[i].key;

		k.kind |= g << 4;
		if (bpf_map_update_elem(names, &k, &p->names[i].bits, BPF_ANY))
			return -errno;
	}
	for (size_t i = 0; i < p->npaths; i++) {
		struct vgl_enf_path_key k = p->paths[i].key;

		k.kind |= g << 4;
		if (bpf_map_update_elem(paths, &k, &p->paths[i].bits, BPF_ANY))
			return -errno;
	}
	if (bpf_map_update_elem(sets, &g, &p->set, BPF_ANY) ||
	    bpf_map_update_elem(conf, &zero, &c, BPF_ANY))
		return -errno;
	return 0;
}
