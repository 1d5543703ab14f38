// SPDX-License-Identifier: GPL-2.0
/*
 * netblock_compile.c - block rules to hook terms. See netblock_compile.h.
 *
 * The normal form is built bottom-up with negations pushed to the atoms
 * (De Morgan), so `not (a or b)` and `net.dport != 22` compile like their
 * positive forms with must_not bits. A rule is compiled into scratch space
 * first and kept only when all of it fits: atoms, prefixes and ports it
 * added are rolled back otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "respond/netblock_compile.h"

#define DNF_MAX		VGL_ENF_TERMS_MAX	/* terms of one rule's condition */
#define ATOMS_MAX	(64 - VGL_NB_FIXED)
#define BIT(n)		(1ULL << (n))
#define FIXED_MASK	(BIT(VGL_NB_FIXED) - 1)

struct term {
	uint64_t must, must_not;
};

struct dnf {
	struct term t[DNF_MAX];
	size_t n;
};

struct compile {
	struct nb_plan *p;
	char *why;		/* the rule's reason buffer; the first refusal wins */
	size_t whylen;
	bool failed;
};

static void refuse(struct compile *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(struct compile *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->why, c->whylen, fmt, ap);
	va_end(ap);
}

/* ---- normal form ---- */

static void dnf_const(struct dnf *d, bool v)
{
	d->n = v ? 1 : 0;
	if (v)
		d->t[0] = (struct term){ 0, 0 };
}

static void dnf_lit(struct dnf *d, unsigned int bit, bool neg)
{
	d->n = 1;
	d->t[0] = neg ? (struct term){ 0, BIT(bit) } : (struct term){ BIT(bit), 0 };
}

/* Add a term unless it contradicts itself or is already there. */
static void dnf_add(struct compile *c, struct dnf *d, struct term t)
{
	if (t.must & t.must_not)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (d->t[i].must == t.must && d->t[i].must_not == t.must_not)
			return;
	if (d->n == DNF_MAX) {
		refuse(c, "more than %d alternatives in its condition", DNF_MAX);
		return;
	}
	d->t[d->n++] = t;
}

static void dnf_or(struct compile *c, struct dnf *a, const struct dnf *b)
{
	for (size_t i = 0; i < b->n && !c->failed; i++)
		dnf_add(c, a, b->t[i]);
}

static void dnf_and(struct compile *c, struct dnf *a, const struct dnf *b)
{
	struct dnf *r = calloc(1, sizeof(*r));

	if (!r) {
		refuse(c, "out of memory");
		return;
	}
	for (size_t i = 0; i < a->n && !c->failed; i++)
		for (size_t j = 0; j < b->n && !c->failed; j++)
			dnf_add(c, r, (struct term){ a->t[i].must | b->t[j].must,
						     a->t[i].must_not | b->t[j].must_not });
	*a = *r;
	free(r);
}

/* A set of fixed facts: any of them (positive), or none of them. */
static void dnf_any_of(struct compile *c, struct dnf *d, uint64_t facts, bool none)
{
	struct dnf one;

	if (none) {
		d->n = 1;
		d->t[0] = (struct term){ 0, facts };
		return;
	}
	d->n = 0;
	for (unsigned int b = 0; b < VGL_NB_FIXED; b++) {
		if (!(facts & BIT(b)))
			continue;
		dnf_lit(&one, b, false);
		dnf_or(c, d, &one);
	}
}

/* ---- atoms ---- */

/* 0 for = / in / a bool alone, 1 for !=, -1 for what a set cannot express. */
static int op_negates(enum expr_op op)
{
	switch (op) {
	case EXPR_OP_EQ:
	case EXPR_OP_IN:
	case EXPR_OP_TRUE:
		return 0;
	case EXPR_OP_NE:
		return 1;
	default:
		return -1;
	}
}

static bool str_is(const struct expr_value *v, const char *s)
{
	return v->len == strlen(s) && !memcmp(v->s, s, v->len);
}

static bool same_values(const struct expr *a, const struct expr *b, size_t n)
{
	struct expr_value va, vb;

	for (size_t i = 0; i < n; i++) {
		expr_value_at(a, i, &va);
		expr_value_at(b, i, &vb);
		if (va.i != vb.i || va.addr_len != vb.addr_len || va.prefix != vb.prefix ||
		    (va.addr && memcmp(va.addr, vb.addr, va.addr_len)))
			return false;
	}
	return true;
}

/* Name prefix addr/prefix in set bit. False when out of memory. */
static bool prefix_add(struct nb_plan *p, const uint8_t *addr, uint8_t len, uint8_t prefix,
		       uint64_t bit)
{
	struct nb_prefix np = { .len = len, .prefix = prefix, .own = bit };
	struct nb_prefix *grown;

	for (unsigned int i = 0; i < len; i++) {
		unsigned int keep = prefix > i * 8 ? prefix - i * 8 : 0;

		np.addr[i] = keep >= 8 ? addr[i] : addr[i] & (uint8_t)(0xff00 >> keep);
	}
	for (size_t i = 0; i < p->nprefixes; i++) {
		struct nb_prefix *q = &p->prefixes[i];

		if (q->len == len && q->prefix == prefix && !memcmp(q->addr, np.addr, len)) {
			q->own |= bit;
			return true;
		}
	}
	grown = realloc(p->prefixes, (p->nprefixes + 1) * sizeof(*grown));
	if (!grown)
		return false;
	p->prefixes = grown;
	p->prefixes[p->nprefixes++] = np;
	return true;
}

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An address value: its prefix, and for an IPv4-mapped one the IPv4
 * prefix too (the hook looks mapped destinations up in both tries). */
static void addr_value_add(struct compile *c, const struct expr_value *v, uint64_t bit)
{
	bool ok = prefix_add(c->p, v->addr, v->addr_len, v->prefix, bit);

	if (ok && v->addr_len == 16 && v->prefix >= 96 && !memcmp(v->addr, v4_mapped, 12))
		ok = prefix_add(c->p, v->addr + 12, 4, v->prefix - 96, bit);
	if (!ok)
		refuse(c, "out of memory");
}

static void port_add(struct compile *c, int64_t port, uint64_t bit)
{
	struct nb_plan *p = c->p;
	struct nb_port *grown;

	if (port < 0 || port > 65535)
		return;		/* never matches */
	for (size_t i = 0; i < p->nports; i++) {
		if (p->ports[i].port == port) {
			p->ports[i].bits |= bit;
			return;
		}
	}
	grown = realloc(p->ports, (p->nports + 1) * sizeof(*grown));
	if (!grown) {
		refuse(c, "out of memory");
		return;
	}
	p->ports = grown;
	p->ports[p->nports++] = (struct nb_port){ (uint16_t)port, bit };
}

/* The fact bit of an address or port comparison; equal comparisons (the
 * same list in two rules) share one. -1 when the bits are used up. */
static int atom_bit(struct compile *c, const struct expr *x, const struct expr_node *nd,
		    bool is_port)
{
	struct nb_plan *p = c->p;
	struct expr_node other;
	struct expr_value v;
	uint64_t bit;

	for (size_t i = 0; i < p->natoms; i++) {
		expr_inspect(p->atoms[i].x, &other);
		if (other.field == nd->field && other.nvals == nd->nvals &&
		    same_values(p->atoms[i].x, x, nd->nvals))
			return p->atoms[i].bit;
	}
	if (p->natoms == ATOMS_MAX) {
		refuse(c, "more than %d address and port sets in the block rules", ATOMS_MAX);
		return -1;
	}
	p->atoms[p->natoms] = (struct nb_atom){ x, (uint8_t)(VGL_NB_FIXED + p->natoms) };
	bit = BIT(VGL_NB_FIXED + p->natoms);
	p->natoms++;
	for (size_t i = 0; i < nd->nvals && !c->failed; i++) {
		expr_value_at(x, i, &v);
		if (is_port)
			port_add(c, v.i, bit);
		else if (v.addr)
			addr_value_add(c, &v, bit);
	}
	return VGL_NB_FIXED + p->natoms - 1;
}

/* ---- comparisons ---- */

static void evt_type_dnf(struct compile *c, const struct expr *x, const struct expr_node *nd,
			 bool neg, struct dnf *out)
{
	struct expr_value v;
	bool connect = false;

	for (size_t i = 0; i < nd->nvals; i++) {
		expr_value_at(x, i, &v);
		connect |= str_is(&v, "connect");
	}
	/* a sendmsg to an address is reported as a connect attempt */
	dnf_const(out, connect != neg);
}

static void family_dnf(struct compile *c, const struct expr *x, const struct expr_node *nd,
		       bool neg, struct dnf *out)
{
	uint64_t facts = 0;
	struct expr_value v;

	/* other families never reach an inet socket hook: they add nothing */
	for (size_t i = 0; i < nd->nvals; i++) {
		expr_value_at(x, i, &v);
		if (str_is(&v, "AF_INET"))
			facts |= BIT(VGL_NB_INET4);
		else if (str_is(&v, "AF_INET6"))
			facts |= BIT(VGL_NB_INET6);
	}
	dnf_any_of(c, out, facts, neg);
}

static void proto_dnf(struct compile *c, const struct expr *x, const struct expr_node *nd,
		      bool neg, struct dnf *out)
{
	uint64_t facts = 0;
	struct expr_value v;

	for (size_t i = 0; i < nd->nvals; i++) {
		expr_value_at(x, i, &v);
		if (str_is(&v, "tcp")) {
			facts |= BIT(VGL_NB_TCP);
		} else if (str_is(&v, "udp")) {
			facts |= BIT(VGL_NB_UDP);
		} else {
			refuse(c, "net.proto %.*s: the hooks tell tcp and udp only", (int)v.len,
			       v.s);
			return;
		}
	}
	dnf_any_of(c, out, facts, neg);
}

static void container_is_dnf(struct compile *c, const struct expr *x,
			     const struct expr_node *nd, bool neg, struct dnf *out)
{
	struct expr_value v = { .i = 1 };

	if (nd->op != EXPR_OP_TRUE) {
		if (nd->nvals != 1) {
			refuse(c, "container.is in a list");
			return;
		}
		expr_value_at(x, 0, &v);
	}
	dnf_lit(out, VGL_NB_IN_CONTAINER, (v.i != 0) == neg);
}

static void container_id_dnf(struct compile *c, const struct expr *x,
			     const struct expr_node *nd, bool neg, struct dnf *out)
{
	struct expr_value v;

	for (size_t i = 0; i < nd->nvals; i++) {
		expr_value_at(x, i, &v);
		if (!str_is(&v, "host")) {
			refuse(c, "container.id %.*s: the hooks know host or container only",
			       (int)v.len, v.s);
			return;
		}
	}
	/* = host: not in a container */
	dnf_lit(out, VGL_NB_IN_CONTAINER, !neg);
}

static void set_dnf(struct compile *c, const struct expr *x, const struct expr_node *nd,
		    bool neg, struct dnf *out, bool is_port)
{
	int bit = atom_bit(c, x, nd, is_port);

	if (bit >= 0)
		dnf_lit(out, bit, neg);
}

static void cmp_dnf(struct compile *c, const struct expr *x, const struct expr_node *nd,
		    bool neg, struct dnf *out)
{
	const char *f = nd->field->name;
	int op_neg = op_negates(nd->op);

	dnf_const(out, false);
	if (op_neg < 0) {
		refuse(c, "%s with a range or string operator", f);
		return;
	}
	neg ^= op_neg;
	if (!strcmp(f, "evt.type"))
		evt_type_dnf(c, x, nd, neg, out);
	else if (!strcmp(f, "net.family"))
		family_dnf(c, x, nd, neg, out);
	else if (!strcmp(f, "net.proto"))
		proto_dnf(c, x, nd, neg, out);
	else if (!strcmp(f, "container.is"))
		container_is_dnf(c, x, nd, neg, out);
	else if (!strcmp(f, "container.id"))
		container_id_dnf(c, x, nd, neg, out);
	else if (!strcmp(f, "net.daddr"))
		set_dnf(c, x, nd, neg, out, false);
	else if (!strcmp(f, "net.dport"))
		set_dnf(c, x, nd, neg, out, true);
	else
		refuse(c, "%s is not known to a socket hook", f);
}

/* x (negated when neg) in normal form into out. */
static void dnf_of(struct compile *c, const struct expr *x, bool neg, struct dnf *out)
{
	struct expr_node nd;
	struct dnf *r;
	bool conj;

	dnf_const(out, false);
	if (c->failed)
		return;
	expr_inspect(x, &nd);
	if (nd.kind == EXPR_NOT) {
		dnf_of(c, nd.l, !neg, out);
		return;
	}
	if (nd.kind == EXPR_CMP) {
		cmp_dnf(c, x, &nd, neg, out);
		return;
	}
	conj = (nd.kind == EXPR_AND) != neg;
	r = malloc(sizeof(*r));
	if (!r) {
		refuse(c, "out of memory");
		return;
	}
	dnf_of(c, nd.l, neg, out);
	dnf_of(c, nd.r, neg, r);
	if (conj)
		dnf_and(c, out, r);
	else
		dnf_or(c, out, r);
	free(r);
}

/* ---- rules ---- */

/* What a rule adds to the plan; appended only once all of it compiled. */
struct rule_terms {
	struct dnf match;
	struct dnf except;
};

static void compile_match(struct compile *c, const struct rule *r, struct dnf *m)
{
	struct dnf scope;

	dnf_of(c, r->cond, false, m);
	if (r->scope != SCOPE_BOTH) {
		dnf_lit(&scope, VGL_NB_IN_CONTAINER, r->scope == SCOPE_HOST);
		dnf_and(c, m, &scope);
	}
	if (c->failed)
		return;
	if (!m->n) {
		refuse(c, "its condition is never true at a connect");
		return;
	}
	/* a term with no address or port would refuse whole classes of traffic */
	for (size_t i = 0; i < m->n; i++)
		if (!((m->t[i].must | m->t[i].must_not) & ~FIXED_MASK)) {
			refuse(c, "an alternative of its condition tests no address or port: "
			       "it would block every connection");
			return;
		}
}

static void compile_exceptions(struct compile *c, const struct rule *r, struct dnf *ex)
{
	struct dnf *one = malloc(sizeof(*one));

	ex->n = 0;
	if (!one) {
		refuse(c, "out of memory");
		return;
	}
	for (size_t i = 0; i < r->nexceptions && !c->failed; i++) {
		dnf_of(c, r->exceptions[i], false, one);
		if (c->failed) {
			/* say which exception: the reason alone reads like the condition's */
			char inner[sizeof(((struct nb_rule_plan *)0)->why)];

			snprintf(inner, sizeof(inner), "%s", c->why);
			snprintf(c->why, c->whylen, "exception '%s': %s",
				 r->exception_names && r->exception_names[i] ?
				 r->exception_names[i] : "?", inner);
			break;
		}
		dnf_or(c, ex, one);
	}
	free(one);
}

static void append_terms(struct nb_plan *p, const struct dnf *d, uint32_t slot, bool except)
{
	for (size_t i = 0; i < d->n; i++)
		p->set.terms[p->set.nterms++] = (struct vgl_enf_term){
			.must = d->t[i].must, .must_not = d->t[i].must_not,
			.slot = slot, .except = except,
		};
}

/* Undo what a refused rule added: its atoms have the highest bits. */
static void rollback(struct nb_plan *p, size_t natoms, size_t nprefixes, size_t nports)
{
	uint64_t keep = BIT(VGL_NB_FIXED + natoms) - 1;

	p->natoms = natoms;
	p->nprefixes = nprefixes;
	p->nports = nports;
	for (size_t i = 0; i < p->nprefixes; i++)
		p->prefixes[i].own &= keep;
	for (size_t i = 0; i < p->nports; i++)
		p->ports[i].bits &= keep;
}

static void compile_rule(struct nb_plan *p, struct nb_rule_plan *rp, uint32_t rate)
{
	const struct rule *r = rp->rule;
	struct compile c = { p, rp->why, sizeof(rp->why), false };
	size_t natoms = p->natoms, nprefixes = p->nprefixes, nports = p->nports;
	struct rule_terms *t;

	rp->slot = -1;
	if (!(r->events & EVENT_BIT(VGL_EV_CONNECT)))
		refuse(&c, "it never matches a connect");
	else if (r->has_window)
		refuse(&c, "a windowed rule needs history only userspace has");
	t = c.failed ? NULL : malloc(sizeof(*t));
	if (!t) {
		refuse(&c, "out of memory");
		return;
	}
	compile_match(&c, r, &t->match);
	if (!c.failed)
		compile_exceptions(&c, r, &t->except);
	if (!c.failed && p->nslots == VGL_ENF_SLOTS_MAX)
		refuse(&c, "more than %d block rules", VGL_ENF_SLOTS_MAX);
	if (!c.failed && p->set.nterms + t->match.n + t->except.n > VGL_ENF_TERMS_MAX)
		refuse(&c, "the hooks' %d terms are used up", VGL_ENF_TERMS_MAX);
	if (c.failed) {
		rollback(p, natoms, nprefixes, nports);
		free(t);
		return;
	}
	rp->slot = p->nslots++;
	rp->kernel = true;
	p->set.slot_rule[rp->slot] = r->index;
	p->set.slot_rate[rp->slot] = rate;
	append_terms(p, &t->match, rp->slot, false);
	append_terms(p, &t->except, rp->slot, true);
	free(t);
}

static bool prefix_covers(const struct nb_prefix *q, const uint8_t *addr, uint8_t len)
{
	unsigned int full = q->prefix / 8, rest = q->prefix % 8;

	if (q->len != len || memcmp(q->addr, addr, full))
		return false;
	return !rest || (addr[full] & (uint8_t)(0xff00 >> rest)) == q->addr[full];
}

/* The trie answers with the longest match only: give every prefix the
 * bits of the shorter prefixes that cover it. */
static void merge_covering(struct nb_plan *p)
{
	for (size_t i = 0; i < p->nprefixes; i++) {
		struct nb_prefix *np = &p->prefixes[i];

		np->bits = 0;
		for (size_t j = 0; j < p->nprefixes; j++) {
			const struct nb_prefix *q = &p->prefixes[j];

			if (q->prefix <= np->prefix && prefix_covers(q, np->addr, np->len))
				np->bits |= q->own;
		}
	}
}

int nb_plan_build(const struct ruleset *rs, uint32_t actions_per_sec, struct nb_plan **out)
{
	struct nb_plan *p = calloc(1, sizeof(*p));
	size_t n = 0;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < rs->n; i++)
		n += rs->rules[i]->action == ACT_BLOCK;
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules) {
		free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->rules[i]->action != ACT_BLOCK)
			continue;
		p->rules[p->nrules].rule = rs->rules[i];
		compile_rule(p, &p->rules[p->nrules++], actions_per_sec);
	}
	merge_covering(p);
	*out = p;
	return 0;
}

void nb_plan_free(struct nb_plan *p)
{
	if (!p)
		return;
	free(p->rules);
	free(p->prefixes);
	free(p->ports);
	free(p);
}

const struct nb_rule_plan *nb_plan_rule_at(const struct nb_plan *p, uint32_t index)
{
	for (size_t i = 0; p && i < p->nrules; i++)
		if (p->rules[i].rule->index == index)
			return &p->rules[i];
	return NULL;
}

/* ---- the hooks' evaluation, in userspace ---- */

static uint64_t lpm_bits(const struct nb_plan *p, const uint8_t *addr, uint8_t len)
{
	const struct nb_prefix *best = NULL;

	for (size_t i = 0; i < p->nprefixes; i++)
		if (prefix_covers(&p->prefixes[i], addr, len) &&
		    (!best || p->prefixes[i].prefix > best->prefix))
			best = &p->prefixes[i];
	return best ? best->bits : 0;
}

static uint64_t attempt_facts(const struct nb_plan *p, const struct nb_attempt *a)
{
	bool v6 = a->family == AF_INET6;
	uint64_t f = BIT(v6 ? VGL_NB_INET6 : VGL_NB_INET4);

	if (a->proto == IPPROTO_TCP)
		f |= BIT(VGL_NB_TCP);
	else if (a->proto == IPPROTO_UDP)
		f |= BIT(VGL_NB_UDP);
	if (a->in_container)
		f |= BIT(VGL_NB_IN_CONTAINER);
	f |= lpm_bits(p, a->addr, v6 ? 16 : 4);
	if (v6 && !memcmp(a->addr, v4_mapped, 12))
		f |= lpm_bits(p, a->addr + 12, 4);
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i].port == a->port)
			f |= p->ports[i].bits;
	return f;
}

int nb_plan_decide(const struct nb_plan *p, const struct nb_attempt *a)
{
	uint64_t facts = attempt_facts(p, a), match = 0, except = 0, acting;

	for (uint32_t i = 0; i < p->set.nterms; i++) {
		const struct vgl_enf_term *t = &p->set.terms[i];

		if ((facts & t->must) != t->must || (facts & t->must_not))
			continue;
		if (t->except)
			except |= BIT(t->slot);
		else
			match |= BIT(t->slot);
	}
	acting = match & ~except;
	for (uint32_t s = 0; s < VGL_ENF_SLOTS_MAX; s++)
		if (acting & BIT(s))
			return p->set.slot_rule[s];
	return -1;
}
