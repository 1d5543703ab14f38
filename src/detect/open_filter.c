// SPDX-License-Identifier: GPL-2.0
/*
 * open_filter.c - see open_filter.h.
 *
 * A rule's condition becomes disjunctive normal form over literals the
 * kernel can test, like the exec kill plan (src/respond/exec_plan.c), but
 * in the other direction: the exec plan may only act where the rule surely
 * matches, the filter may only drop what the rule surely does not match.
 * So a comparison the kernel cannot make is TRUE here (either polarity),
 * exceptions are left out (they only narrow), and a comparison the kernel
 * can only approximate (fd.name = /etc/shadow gives "named shadow, in a
 * directory named etc": necessary, not sufficient) is used only where it
 * is not negated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include "detect/open_filter.h"
#include "detect/expr.h"
#include "sensor/sensor.h"
#include "log.h"

#define OF_DNF_MAX	16
#define OF_SETS_MAX	(64 - VGL_OF_FIXED)
#define F(x)		(1ULL << (x))
/* facts every open has some value of: a term made only of them narrows little */
#define OF_FLAG_FACTS	(F(VGL_OF_WRITE) | F(VGL_OF_CREATE) | F(VGL_OF_TRUNC) | F(VGL_OF_FAILED))

struct oterm {
	uint64_t must, must_not;
};

struct odnf {
	struct oterm t[OF_DNF_MAX];
	size_t n;		/* 0: false */
	bool overflow;		/* too many alternatives: the rule needs every open */
};

/* A comparison as the kernel sees it. */
enum olit_kind { OL_FALSE, OL_TRUE, OL_TERM };

struct olit {
	enum olit_kind kind;
	uint64_t must;		/* OL_TERM: a conjunction of facts */
	bool exact;		/* the conjunction is the comparison itself, not only implied by it */
};

struct ocompiler {
	struct open_filter *f;
	struct { char *key; unsigned int bit; } sets[OF_SETS_MAX];
	size_t nsets;
	char why[128];		/* what in this rule cannot be narrowed */
};

/* ---- DNF ---- */

static void odnf_true(struct odnf *d)
{
	d->n = 1;
	d->t[0].must = d->t[0].must_not = 0;
}

static void odnf_or(struct odnf *a, const struct odnf *b)
{
	if (a->overflow || b->overflow || a->n + b->n > OF_DNF_MAX) {
		a->overflow = true;
		return;
	}
	memcpy(&a->t[a->n], b->t, b->n * sizeof(b->t[0]));
	a->n += b->n;
}

static void odnf_and(struct odnf *a, const struct odnf *b)
{
	struct odnf out = { .n = 0 };

	if (a->overflow || b->overflow) {
		a->overflow = true;
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			struct oterm t = { a->t[i].must | b->t[j].must,
					   a->t[i].must_not | b->t[j].must_not };

			if (t.must & t.must_not)
				continue;
			if (out.n == OF_DNF_MAX) {
				a->overflow = true;
				return;
			}
			out.t[out.n++] = t;
		}
	*a = out;
}

/* ---- name sets ---- */

static uint64_t fnv(const char *s, size_t len)
{
	uint64_t h = VGL_FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * VGL_FNV_PRIME;
	return h;
}

/* The Bloom key of a name: its first min(len, 8) bytes (vigil_abi.h). */
static uint64_t name_word(const char *s, size_t len)
{
	uint64_t w = 0;

	memcpy(&w, s, len < 8 ? len : 8);
	return w;
}

static void bloom_set(struct vgl_open_filter *set, unsigned int kind, size_t len, uint64_t word)
{
	uint32_t b = vgl_of_bloom_bit(kind, len, word & vgl_of_word_mask(len));

	set->bloom[b / 64] |= 1ULL << (b % 64);
}

/* What the kernel's first probe needs to know of a name in a set. */
static void bloom_add(struct vgl_open_filter *set, unsigned int kind, const char *s, size_t len)
{
	switch (kind) {
	case VGL_OF_NAME:
	case VGL_OF_PARENT:
		bloom_set(set, kind, len, name_word(s, len));
		break;
	case VGL_OF_NAME_PREFIX: {
		size_t p = len < 8 ? len : 8;

		bloom_set(set, kind, p, name_word(s, p));
		set->prefix8_lens |= 1ULL << p;
		break;
	}
	}
}

static int name_add(struct open_filter *f, unsigned int kind, const char *s, size_t len,
		    unsigned int bit)
{
	struct vgl_enf_path_key key = { .hash = fnv(s, len), .len = len, .kind = kind };
	struct open_filter_name *nv;

	for (size_t i = 0; i < f->nnames; i++)
		if (!memcmp(&f->names[i].key, &key, sizeof(key))) {
			f->names[i].bits |= 1ULL << bit;
			return 0;
		}
	bloom_add(&f->set, kind, s, len);
	nv = realloc(f->names, (f->nnames + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	f->names = nv;
	nv[f->nnames].key = key;
	nv[f->nnames++].bits = 1ULL << bit;
	if (kind == VGL_OF_NAME_PREFIX)
		f->set.prefix_lens |= 1ULL << len;
	return 0;
}

/*
 * When the 64 fact bits run out, the sets of a kind share one bit: "one of
 * all these names", still necessary for each, no longer exact.
 */
#define OF_SHARED_BITS		VGL_OF_ANCESTOR		/* one per kind, the top bits */
#define OF_SHARED_BIT(kind)	(64 - OF_SHARED_BITS + (kind) - 1)

static int shared_bit(struct ocompiler *c, unsigned int kind, const char *const *vals,
		      const size_t *lens, size_t n, bool *inexact)
{
	unsigned int bit = OF_SHARED_BIT(kind);

	for (size_t i = 0; i < n; i++)
		if (name_add(c->f, kind, vals[i], lens[i], bit))
			return -1;
	*inexact = true;
	return bit;
}

/* The bit of "a name of this kind is one of values", made on first use;
 * a shared bit (inexact) when the bits are used up, -1 on error. */
static int set_bit(struct ocompiler *c, unsigned int kind, const char *const *vals,
		   const size_t *lens, size_t n, bool *inexact)
{
	char key[4096];
	size_t k = snprintf(key, sizeof(key), "%u", kind);
	unsigned int bit;

	for (size_t i = 0; i < n && k < sizeof(key); i++)
		k += snprintf(key + k, sizeof(key) - k, "\x1f%.*s", (int)lens[i], vals[i]);
	if (k >= sizeof(key))
		return -1;
	for (size_t i = 0; i < c->nsets; i++)
		if (!strcmp(c->sets[i].key, key))
			return c->sets[i].bit;
	if (c->f->next_bit >= 64 - OF_SHARED_BITS || c->nsets == OF_SETS_MAX)
		bit = shared_bit(c, kind, vals, lens, n, inexact);
	else
		bit = c->f->next_bit++;
	if ((int)bit < 0)
		return -1;
	for (size_t i = 0; !*inexact && i < n; i++)
		if (name_add(c->f, kind, vals[i], lens[i], bit))
			return -1;
	if (*inexact)
		goto mark;
	c->sets[c->nsets].key = strdup(key);
	if (!c->sets[c->nsets].key)
		return -1;
	c->sets[c->nsets++].bit = bit;
mark:
	if (kind == VGL_OF_NAME || kind == VGL_OF_NAME_PREFIX)
		c->f->set.name_bits |= 1ULL << bit;
	else if (kind == VGL_OF_PARENT)
		c->f->set.parent_bits |= 1ULL << bit;
	else if (kind == VGL_OF_ANCESTOR)
		c->f->set.ancestor_bits |= 1ULL << bit;
	else if (kind == VGL_OF_COMM)
		c->f->set.comm_bits |= 1ULL << bit;
	return bit;
}

/* ---- comparisons ---- */

static void lit_true(struct olit *l)
{
	l->kind = OL_TRUE;
}

static void lit_facts(struct olit *l, uint64_t must, bool exact)
{
	l->kind = OL_TERM;
	l->must = must;
	l->exact = exact;
}

static int unknown(struct ocompiler *c, struct olit *l, const char *f)
{
	if (!c->why[0])
		snprintf(c->why, sizeof(c->why), "'%s' cannot be tested in the kernel", f);
	lit_true(l);
	return 0;
}

#define VALS_MAX 64

/* Values of a comparison, as (pointer, length) pairs. */
static size_t values(const struct expr *x, const struct expr_node *n, const char **v, size_t *len)
{
	struct expr_value ev;
	size_t k = 0;

	for (size_t i = 0; i < n->nvals && k < VALS_MAX; i++) {
		expr_value_at(x, i, &ev);
		v[k] = ev.s;
		len[k++] = ev.len;
	}
	return n->nvals <= VALS_MAX ? k : 0;
}

/* A set literal over whole values of a field the kernel reads exactly. */
static int exact_set(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
		     unsigned int kind, size_t max, bool longer_never_equal, struct olit *l)
{
	const char *v[VALS_MAX];
	size_t len[VALS_MAX], k = values(x, n, v, len), m = 0;
	bool inexact = false;
	int bit;

	if (!k && n->nvals)
		return unknown(c, l, n->field->name);
	for (size_t i = 0; i < k; i++) {
		if (len[i] > max) {
			if (!longer_never_equal)
				return unknown(c, l, n->field->name);
			continue;	/* can never be equal: leave it out */
		}
		v[m] = v[i];
		len[m++] = len[i];
	}
	if (!m) {
		l->kind = OL_FALSE;
		return 0;
	}
	bit = set_bit(c, kind, v, len, m, &inexact);
	if (bit < 0)
		return unknown(c, l, n->field->name);
	lit_facts(l, F(bit), !inexact);
	return 0;
}

/* fd.name / fd.path = one of the paths: "named X, in a directory named Y". */
static int path_set(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
		    bool suffix_only, struct olit *l)
{
	const char *v[VALS_MAX], *names[VALS_MAX], *parents[VALS_MAX];
	size_t len[VALS_MAX], nlen[VALS_MAX], plen[VALS_MAX], k = values(x, n, v, len);
	size_t nn = 0, np = 0;
	bool all_parents = true, inexact = false;
	int nb, pb;

	if (!k)
		return unknown(c, l, n->field->name);
	for (size_t i = 0; i < k; i++) {
		const char *s = v[i], *slash = memrchr(s, '/', len[i]);
		const char *pslash;

		/* endswith "name" without a '/' says nothing of the last component */
		if (!slash || (!suffix_only && s[0] != '/'))
			return unknown(c, l, n->field->name);
		names[nn] = slash + 1;
		nlen[nn] = len[i] - (slash + 1 - s);
		if (!nlen[nn] || nlen[nn] >= VGL_OF_NAME_SCAN)
			return unknown(c, l, n->field->name);
		nn++;
		pslash = slash > s ? memrchr(s, '/', slash - s) : NULL;
		if (!pslash || slash - pslash - 1 <= 0 || slash - pslash - 1 >= VGL_OF_NAME_SCAN) {
			all_parents = false;	/* at the root, or a suffix without one */
			continue;
		}
		parents[np] = pslash + 1;
		plen[np++] = slash - pslash - 1;
	}
	nb = set_bit(c, VGL_OF_NAME, names, nlen, nn, &inexact);
	if (nb < 0)
		return unknown(c, l, n->field->name);
	pb = all_parents ? set_bit(c, VGL_OF_PARENT, parents, plen, np, &inexact) : -1;
	lit_facts(l, F(nb) | (pb >= 0 ? F(pb) : 0), false);
	return 0;
}

static bool has_wildcard(const char *s, size_t len, bool glob)
{
	for (size_t i = 0; glob && i < len; i++)
		if (strchr("*?[\\", s[i]))
			return true;
	return false;
}

/*
 * The last component of s that '/' closes on both sides (and that holds no
 * wildcard when glob): a directory every matching path goes through.
 * "/etc/cron.d/" and "*\/.ssh/id_*" give "cron.d" and ".ssh".
 */
static bool inner_dir(const char *s, size_t len, bool glob, const char **dir, size_t *dlen)
{
	const char *end = memrchr(s, '/', len);

	while (end && end > s) {
		const char *start = memrchr(s, '/', end - s);

		if (!start)
			return false;
		if (end - start > 1 && !has_wildcard(start + 1, end - start - 1, glob)) {
			*dir = start + 1;
			*dlen = end - start - 1;
			return *dlen < VGL_OF_NAME_SCAN;
		}
		end = start;
	}
	return false;
}

/*
 * fd.name startswith / contains / glob: "under a directory named D", and for
 * a glob whose last component is literal, "named N". '*' matches '/' too, so
 * only what slashes close on both sides without a wildcard inside counts.
 */
static int path_pattern(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
			struct olit *l)
{
	const char *v[VALS_MAX], *dirs[VALS_MAX], *last = NULL;
	size_t len[VALS_MAX], dlen[VALS_MAX], k = values(x, n, v, len), lastlen = 0;
	bool glob = n->op == EXPR_OP_GLOB, inexact = false;
	uint64_t must = 0;
	int bit;

	if (!k)
		return unknown(c, l, n->field->name);
	for (size_t i = 0; i < k; i++)
		if (!inner_dir(v[i], len[i], glob, &dirs[i], &dlen[i]))
			return unknown(c, l, n->field->name);
	bit = set_bit(c, VGL_OF_ANCESTOR, dirs, dlen, k, &inexact);
	if (bit < 0)
		return unknown(c, l, n->field->name);
	must = F(bit);
	if (glob && k == 1) {
		last = (const char *)memrchr(v[0], '/', len[0]) + 1;
		lastlen = len[0] - (last - v[0]);
		if (lastlen && lastlen < VGL_OF_NAME_SCAN && !has_wildcard(last, lastlen, true) &&
		    (bit = set_bit(c, VGL_OF_NAME, &last, &lastlen, 1, &inexact)) >= 0)
			must |= F(bit);
	}
	lit_facts(l, must, false);
	return 0;
}

/* fd.filename glob 'ssh_host_*_key': a name has no '/', so the literal
 * start of the pattern is a prefix every match has. */
static int name_glob(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
		     struct olit *l)
{
	const char *v[VALS_MAX];
	size_t len[VALS_MAX], k = values(x, n, v, len), pre;
	bool inexact = false;
	int bit;

	if (k != 1)
		return unknown(c, l, n->field->name);
	for (pre = 0; pre < len[0] && !strchr("*?[\\", v[0][pre]); pre++)
		;
	if (!pre || pre >= VGL_OF_NAME_SCAN)
		return unknown(c, l, n->field->name);
	bit = set_bit(c, pre == len[0] ? VGL_OF_NAME : VGL_OF_NAME_PREFIX, v, &pre, 1, &inexact);
	if (bit < 0)
		return unknown(c, l, n->field->name);
	lit_facts(l, F(bit), pre == len[0] && !inexact);
	return 0;
}

/* fd.directory = /a/b or endswith /b: "in a directory named b". */
static int directory_set(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
			 struct olit *l)
{
	const char *v[VALS_MAX], *dirs[VALS_MAX];
	size_t len[VALS_MAX], dlen[VALS_MAX], k = values(x, n, v, len);
	bool inexact = false;
	int bit;

	if (!k)
		return unknown(c, l, n->field->name);
	for (size_t i = 0; i < k; i++) {
		const char *slash = memrchr(v[i], '/', len[i]);

		if (!slash || (n->op != EXPR_OP_ENDSWITH && v[i][0] != '/'))
			return unknown(c, l, n->field->name);
		dirs[i] = slash + 1;
		dlen[i] = len[i] - (slash + 1 - v[i]);
		if (!dlen[i] || dlen[i] >= VGL_OF_NAME_SCAN)
			return unknown(c, l, n->field->name);	/* "/" itself, or too long */
	}
	bit = set_bit(c, VGL_OF_PARENT, dirs, dlen, k, &inexact);
	if (bit < 0)
		return unknown(c, l, n->field->name);
	lit_facts(l, F(bit), false);
	return 0;
}

static int compile_cmp(struct ocompiler *c, const struct expr *x, const struct expr_node *n,
		       struct olit *l)
{
	const char *f = n->field->name;
	bool eq = n->op == EXPR_OP_EQ || n->op == EXPR_OP_IN;
	struct expr_value v;

	if (n->idx != 0 || n->field->keyed)
		return unknown(c, l, f);
	if (!strcmp(f, "evt.type") && (eq || n->op == EXPR_OP_NE)) {
		bool open = false;

		for (size_t i = 0; i < n->nvals; i++) {
			expr_value_at(x, i, &v);
			open |= v.len == 4 && !memcmp(v.s, "open", 4);
		}
		l->kind = (open == eq) ? OL_TRUE : OL_FALSE;
		return 0;
	}
	if (!strcmp(f, "evt.failed") && n->op == EXPR_OP_TRUE) {
		lit_facts(l, F(VGL_OF_FAILED), true);
		return 0;
	}
	static const struct { const char *name; enum vgl_of_fact fact; } flags[] = {
		{ "fd.is_write", VGL_OF_WRITE }, { "fd.is_create", VGL_OF_CREATE },
		{ "fd.is_trunc", VGL_OF_TRUNC },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(f, flags[i].name) && n->op == EXPR_OP_TRUE) {
			lit_facts(l, F(flags[i].fact), true);
			return 0;
		}
	if (!strcmp(f, "proc.name") && eq)
		return exact_set(c, x, n, VGL_OF_COMM, VGL_COMM_LEN - 1, true, l);
	if (!strcmp(f, "fd.filename") && eq)
		return exact_set(c, x, n, VGL_OF_NAME, VGL_OF_NAME_SCAN - 1, false, l);
	if (!strcmp(f, "fd.filename") && n->op == EXPR_OP_STARTSWITH)
		return exact_set(c, x, n, VGL_OF_NAME_PREFIX, VGL_OF_NAME_SCAN - 1, false, l);
	if (!strcmp(f, "fd.filename") && n->op == EXPR_OP_GLOB)
		return name_glob(c, x, n, l);
	if (!strcmp(f, "fd.directory") && (eq || n->op == EXPR_OP_ENDSWITH))
		return directory_set(c, x, n, l);
	if ((!strcmp(f, "fd.name") || !strcmp(f, "fd.path")) && eq)
		return path_set(c, x, n, false, l);
	if ((!strcmp(f, "fd.name") || !strcmp(f, "fd.path")) && n->op == EXPR_OP_ENDSWITH)
		return path_set(c, x, n, true, l);
	if ((!strcmp(f, "fd.name") || !strcmp(f, "fd.path")) &&
	    (n->op == EXPR_OP_GLOB || n->op == EXPR_OP_STARTSWITH || n->op == EXPR_OP_CONTAINS))
		return path_pattern(c, x, n, l);
	return unknown(c, l, f);
}

/* ---- conditions ---- */

static void compile_node(struct ocompiler *c, const struct expr *x, bool neg, struct odnf *out)
{
	struct expr_node n;
	struct odnf *r;
	struct olit l = { OL_TRUE };

	expr_inspect(x, &n);
	switch (n.kind) {
	case EXPR_NOT:
		compile_node(c, n.l, !neg, out);
		return;
	case EXPR_AND:
	case EXPR_OR:
		compile_node(c, n.l, neg, out);
		r = calloc(1, sizeof(*r));
		if (!r) {
			out->overflow = true;
			return;
		}
		compile_node(c, n.r, neg, r);
		if ((n.kind == EXPR_AND) != neg)	/* De Morgan */
			odnf_and(out, r);
		else
			odnf_or(out, r);
		free(r);
		return;
	case EXPR_CMP:
		compile_cmp(c, x, &n, &l);
		break;
	}
	memset(out, 0, sizeof(*out));
	if (l.kind == OL_TRUE || (l.kind == OL_TERM && neg && !l.exact)) {
		odnf_true(out);		/* unknown, or only implied: either way possible */
	} else if (l.kind == OL_FALSE) {
		if (neg)
			odnf_true(out);
	} else if (!neg) {
		out->n = 1;
		out->t[0].must = l.must;
	} else {
		out->n = 1;		/* exact literals here are single facts */
		out->t[0].must_not = l.must;
	}
}

static void filter_all(struct open_filter *f, const struct rule *r, const char *why)
{
	if (!f->set.all)
		snprintf(f->why_all, sizeof(f->why_all), "%s: %s", r->id, why);
	f->set.all = 1;
}

static void compile_rule(struct ocompiler *c, const struct rule *r)
{
	struct odnf *d = calloc(1, sizeof(*d));
	struct vgl_open_filter *set = &c->f->set;

	if (!d) {
		filter_all(c->f, r, "out of memory");
		return;
	}
	c->why[0] = '\0';
	compile_node(c, r->cond, false, d);
	if (r->scope == SCOPE_CONTAINERS) {
		/* every container has a root of its own */
		struct odnf chrooted = { .n = 1, .t = { { F(VGL_OF_CHROOTED), 0 } } };

		odnf_and(d, &chrooted);
	}
	if (d->overflow) {
		filter_all(c->f, r, "too many alternatives");
		goto out;
	}
	for (size_t i = 0; i < d->n; i++) {
		if (!d->t[i].must && !d->t[i].must_not) {
			filter_all(c->f, r, c->why[0] ? c->why : "its condition holds for any open");
			goto out;
		}
		if (set->nterms == VGL_OF_TERMS_MAX) {
			filter_all(c->f, r, "the kernel's terms are used up");
			goto out;
		}
		set->terms[set->nterms].must = d->t[i].must;
		set->terms[set->nterms++].must_not = d->t[i].must_not;
		if (!(d->t[i].must & ~OF_FLAG_FACTS))
			log_info("open filter: %s needs %s opens (%s)", r->id,
				 d->t[i].must & F(VGL_OF_WRITE) ? "every writing" :
				 d->t[i].must & F(VGL_OF_FAILED) ? "every failed" : "most",
				 c->why[0] ? c->why : "no name in its condition");
	}
out:
	free(d);
}

/* The host's root directory, as the kernel names its inode. */
static void host_root(struct open_filter *f)
{
	struct stat st;

	/* PID 1's root is the host's; when it cannot be read (ptrace rules),
	 * vigil's own: in a container that makes every host task "chrooted",
	 * which sends more opens, never fewer */
	if (stat("/proc/1/root/", &st) && stat("/", &st))
		return;
	f->set.root_ino = st.st_ino;
	f->set.root_dev = major(st.st_dev) << 20 | minor(st.st_dev);
}

/* The kernel's first test, one lookup: can any term match these flags? */
static void fixed_table(struct open_filter *f)
{
	uint64_t fixed = F(VGL_OF_FIXED) - 1;

	for (uint32_t i = 0; i < f->set.nterms; i++)
		if ((f->set.terms[i].must | f->set.terms[i].must_not) & F(VGL_OF_CHROOTED))
			f->set.uses_chroot = 1;
	uint64_t named = fixed | f->set.name_bits, placed = named | f->set.parent_bits;

	for (uint64_t k = 0; k <= fixed; k++) {
		if (f->set.all || open_filter_wants(f, k, fixed))
			f->set.fixed_ok |= 1U << k;
		if (f->set.all || open_filter_wants(f, k, named))
			f->set.ok_unnamed |= 1U << k;
		if (f->set.all || open_filter_wants(f, k, placed))
			f->set.ok_unplaced |= 1U << k;
	}
}

int open_filter_build(const struct ruleset *rs, struct open_filter **out)
{
	struct ocompiler c = { 0 };
	struct open_filter *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->next_bit = VGL_OF_FIXED;
	host_root(f);
	c.f = f;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i]->events & EVENT_BIT(VGL_EV_OPEN))
			compile_rule(&c, rs->rules[i]);
	fixed_table(f);
	for (size_t i = 0; i < c.nsets; i++)
		free(c.sets[i].key);
	*out = f;
	return 0;
}

void open_filter_free(struct open_filter *f)
{
	if (!f)
		return;
	free(f->names);
	free(f);
}

/* ---- the kernel's side, for tests ---- */

static uint64_t name_facts(const struct open_filter *f, unsigned int kind, const char *s,
			   bool prefixes)
{
	size_t len = strlen(s);
	uint64_t bits = 0;

	for (size_t i = 0; i < f->nnames; i++) {
		const struct vgl_enf_path_key *k = &f->names[i].key;

		if (k->kind == kind && k->len == len && len < VGL_OF_NAME_SCAN &&
		    k->hash == fnv(s, len))
			bits |= f->names[i].bits;
		if (prefixes && k->kind == VGL_OF_NAME_PREFIX && k->len <= len &&
		    k->hash == fnv(s, k->len))
			bits |= f->names[i].bits;
	}
	return bits;
}

static bool bloom_test(const struct vgl_open_filter *set, unsigned int kind, size_t len,
		       uint64_t word)
{
	uint32_t b = vgl_of_bloom_bit(kind, len, word & vgl_of_word_mask(len));

	return set->bloom[b / 64] & (1ULL << (b % 64));
}

bool open_filter_maybe_named(const struct open_filter *f, unsigned int kind, const char *name)
{
	size_t len = strlen(name);
	uint64_t w = name_word(name, len);

	if (bloom_test(&f->set, kind, len, w))
		return true;
	if (kind != VGL_OF_NAME)
		return false;
	for (size_t p = 1; p <= 8; p++)
		if ((f->set.prefix8_lens & (1ULL << p)) && len >= p &&
		    bloom_test(&f->set, VGL_OF_NAME_PREFIX, p, w))
			return true;
	return false;
}

uint64_t open_filter_facts(const struct open_filter *f, uint32_t flags, bool failed,
			   const char *name, const char *parent, const char *comm, uint64_t *known)
{
	bool tmpfile = (flags & 020200000) == 020200000;
	uint64_t facts = 0;

	*known = ~0ULL;
	if ((flags & 3) || (flags & (0100 | 01000)) || tmpfile)
		facts |= F(VGL_OF_WRITE);
	if ((flags & 0100) || tmpfile)
		facts |= F(VGL_OF_CREATE);
	if (flags & 01000)
		facts |= F(VGL_OF_TRUNC);
	if (failed)
		facts |= F(VGL_OF_FAILED);
	if (comm)
		facts |= name_facts(f, VGL_OF_COMM, comm, false);
	/* as the kernel: a name the Bloom filter rules out is not looked up */
	if (name && open_filter_maybe_named(f, VGL_OF_NAME, name))
		facts |= name_facts(f, VGL_OF_NAME, name, true);
	else if (!name)
		*known &= ~f->set.name_bits;
	if (parent && open_filter_maybe_named(f, VGL_OF_PARENT, parent))
		facts |= name_facts(f, VGL_OF_PARENT, parent, false);
	else if (!parent)
		*known &= ~f->set.parent_bits;
	return facts;
}

uint64_t open_filter_ancestor_facts(const struct open_filter *f, const char *const *dirs, size_t n)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < n; i++)
		bits |= name_facts(f, VGL_OF_ANCESTOR, dirs[i], false);
	return bits;
}

bool open_filter_wants(const struct open_filter *f, uint64_t facts, uint64_t known)
{
	if (f->set.all)
		return true;
	for (uint32_t i = 0; i < f->set.nterms; i++) {
		const struct vgl_enf_term *t = &f->set.terms[i];

		if (!(t->must & ~facts & known) && !(t->must_not & facts))
			return true;
	}
	return false;
}

/* ---- loading ---- */

static void delete_generation(int fd, unsigned int gen)
{
	struct vgl_enf_path_key key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if ((key.kind >> 4) == gen) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
			continue;
		}
		prev = &key;
	}
}

int open_filter_install(const struct open_filter *f, struct sensor *s, unsigned int gen, bool on)
{
	int names = sensor_map_fd(s, "of_names"), sets = sensor_map_fd(s, "open_filters");
	int conf = sensor_map_fd(s, "open_filter_conf");
	struct vgl_open_filter_conf c = { .live = gen & 1, .on = on };
	uint32_t zero = 0, g = gen & 1;

	if (names < 0 || sets < 0 || conf < 0)
		return -ENOENT;
	delete_generation(names, g);
	for (size_t i = 0; f && i < f->nnames; i++) {
		struct vgl_enf_path_key k = f->names[i].key;

		k.kind |= g << 4;
		if (bpf_map_update_elem(names, &k, &f->names[i].bits, BPF_ANY))
			return -errno;
	}
	if ((f && bpf_map_update_elem(sets, &g, &f->set, BPF_ANY)) ||
	    bpf_map_update_elem(conf, &zero, &c, BPF_ANY))
		return -errno;
	return 0;
}
