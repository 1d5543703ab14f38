// SPDX-License-Identifier: GPL-2.0
/* expr.c - see expr.h. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect/expr.h"

/* the same order as the public enum expr_op */
enum op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN,
	OP_STARTSWITH, OP_ENDSWITH, OP_CONTAINS, OP_ICONTAINS, OP_GLOB, OP_TRUE,
};
_Static_assert((int)OP_TRUE == (int)EXPR_OP_TRUE && (int)OP_GLOB == (int)EXPR_OP_GLOB,
	       "enum op mirrors enum expr_op");

static const struct { const char *name; enum op op; } word_ops[] = {
	{ "in", OP_IN }, { "startswith", OP_STARTSWITH }, { "endswith", OP_ENDSWITH },
	{ "contains", OP_CONTAINS }, { "icontains", OP_ICONTAINS }, { "glob", OP_GLOB },
};

enum nkind { N_AND, N_OR, N_NOT, N_CMP, N_MACRO };

struct value {
	char *s;		/* strings, glob patterns (NUL-terminated) */
	size_t len;
	int64_t i;
	uint8_t addr[16];
	uint8_t addr_len;	/* 4 or 16 */
	uint8_t prefix;		/* CIDR prefix length; addr_len * 8 for one address */
};

struct expr {
	enum nkind kind;
	struct expr *l, *r;
	const struct expr *macro;	/* N_MACRO: owned by the scope */
	const struct field_def *field;
	int idx;			/* ancestor index of indexed fields */
	bool any_ancestor;		/* indexed field used without [N] */
	char *key;			/* [KEY] of a keyed field */
	enum op op;
	struct value *vals;
	size_t nvals;
};

/* ---- lexer ---- */

enum tok_kind { T_EOF, T_WORD, T_STRING, T_LPAREN, T_RPAREN, T_COMMA, T_OP };

struct tok {
	enum tok_kind kind;
	const char *p;
	size_t len;
	size_t off;
};

struct parser {
	const char *text;
	size_t pos;
	struct tok tok;			/* current token */
	const struct expr_scope *scope;
	struct expr_error *err;
	bool failed;
};

static void fail(struct parser *ps, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct parser *ps, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->offset = off;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
}

static bool is_word_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("(),'\"=!<>", c);
}

static void next(struct parser *ps)
{
	const char *t = ps->text;
	size_t i = ps->pos;
	struct tok *k = &ps->tok;

	while (t[i] && isspace((unsigned char)t[i]))
		i++;
	k->off = i;
	k->p = t + i;
	k->len = 1;
	switch (t[i]) {
	case '\0': k->kind = T_EOF; k->len = 0; break;
	case '(': k->kind = T_LPAREN; break;
	case ')': k->kind = T_RPAREN; break;
	case ',': k->kind = T_COMMA; break;
	case '\'':
	case '"': {
		const char *end = strchr(t + i + 1, t[i]);

		if (!end) {
			fail(ps, i, "unterminated string");
			k->kind = T_EOF;
			k->len = 0;
			break;
		}
		k->kind = T_STRING;
		k->p = t + i + 1;
		k->len = end - k->p;
		ps->pos = end - t + 1;
		return;
	}
	case '=': case '!': case '<': case '>':
		k->kind = T_OP;
		if (t[i + 1] == '=')
			k->len = 2;
		else if (t[i] == '!') {
			fail(ps, i, "'!' must be followed by '=' (use 'not' to negate)");
		}
		break;
	default:
		k->kind = T_WORD;
		while (is_word_char(t[i + k->len]))
			k->len++;
	}
	ps->pos = i + k->len;
}

static bool tok_is(const struct tok *k, const char *word)
{
	return k->kind == T_WORD && k->len == strlen(word) && !memcmp(k->p, word, k->len);
}

/* ---- nodes ---- */

static struct expr *node(struct parser *ps, enum nkind kind)
{
	struct expr *x = calloc(1, sizeof(*x));

	if (!x)
		fail(ps, ps->tok.off, "out of memory");
	else
		x->kind = kind;
	return x;
}

void expr_free(struct expr *x)
{
	if (!x)
		return;
	expr_free(x->l);
	expr_free(x->r);
	for (size_t i = 0; i < x->nvals; i++)
		free(x->vals[i].s);
	free(x->vals);
	free(x->key);
	free(x);
}

/* ---- values ---- */

static bool parse_int(const char *s, size_t len, int64_t *out)
{
	char buf[32], *end;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 0);	/* 0755 octal, 0x10 hex, 42 decimal */
	return !errno && *end == '\0';
}

static bool parse_cidr(const char *s, size_t len, struct value *v)
{
	char buf[64];
	const char *slash;
	int64_t bits;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		buf[slash - buf] = '\0';
	v->addr_len = field_parse_addr(buf, v->addr);
	if (!v->addr_len)
		return false;
	v->prefix = v->addr_len * 8;
	if (slash) {
		if (!parse_int(slash + 1, strlen(slash + 1), &bits) || bits < 0 ||
		    bits > v->addr_len * 8)
			return false;
		v->prefix = bits;
	}
	return true;
}

/* Add one constant to x, converted to the field's type. */
static void add_value(struct parser *ps, struct expr *x, const char *s, size_t len, size_t off)
{
	struct value *nv = realloc(x->vals, (x->nvals + 1) * sizeof(*nv));
	struct value *v;

	if (!nv) {
		fail(ps, off, "out of memory");
		return;
	}
	x->vals = nv;
	v = &x->vals[x->nvals];
	memset(v, 0, sizeof(*v));
	switch (x->field->type) {
	case FT_STR:
		if (!strcmp(x->field->name, "evt.type")) {
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)len, s);
			if (event_type_by_name(name) < 0) {
				fail(ps, off, "unknown event type '%.*s'", (int)len, s);
				return;
			}
		}
		v->s = strndup(s, len);
		v->len = len;
		if (v->s && x->op == OP_ICONTAINS)
			for (size_t i = 0; i < len; i++)
				v->s[i] = tolower((unsigned char)v->s[i]);
		if (!v->s) {
			fail(ps, off, "out of memory");
			return;
		}
		break;
	case FT_INT:
		if (!parse_int(s, len, &v->i)) {
			fail(ps, off, "'%s' wants a number, not '%.*s'", x->field->name, (int)len, s);
			return;
		}
		break;
	case FT_BOOL:
		if (len == 4 && !memcmp(s, "true", 4))
			v->i = 1;
		else if (len == 5 && !memcmp(s, "false", 5))
			v->i = 0;
		else {
			fail(ps, off, "'%s' wants true or false, not '%.*s'", x->field->name,
			     (int)len, s);
			return;
		}
		break;
	case FT_ADDR:
		if (!parse_cidr(s, len, v)) {
			fail(ps, off, "'%s' wants an IP address or CIDR, not '%.*s'",
			     x->field->name, (int)len, s);
			return;
		}
		break;
	}
	x->nvals++;
}

/* An item of an "in" list: a constant, or the name of a list to expand. */
static void add_item(struct parser *ps, struct expr *x, const struct tok *k)
{
	size_t n = 0;
	const char *const *items = NULL;

	if (k->kind == T_WORD && ps->scope && ps->scope->list)
		items = ps->scope->list(ps->scope->ctx, k->p, k->len, &n);
	if (!items) {
		add_value(ps, x, k->p, k->len, k->off);
		return;
	}
	for (size_t i = 0; i < n && !ps->failed; i++)
		add_value(ps, x, items[i], strlen(items[i]), k->off);
}

static bool op_allowed(enum op op, enum ftype t)
{
	switch (t) {
	case FT_STR:
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_STARTSWITH ||
		       op == OP_ENDSWITH || op == OP_CONTAINS || op == OP_ICONTAINS || op == OP_GLOB;
	case FT_INT:
		return op <= OP_IN;
	case FT_BOOL:
	case FT_ADDR:
		return op == OP_EQ || op == OP_NE || op == OP_IN;
	}
	return false;
}

static const char *op_text(enum op op)
{
	static const char *const names[] = { "=", "!=", "<", "<=", ">", ">=", "in", "startswith",
					     "endswith", "contains", "icontains", "glob", "" };
	return names[op];
}

/* ---- parser ---- */

static struct expr *parse_or(struct parser *ps);

static bool parse_op(struct parser *ps, enum op *op)
{
	const struct tok *k = &ps->tok;

	if (k->kind == T_OP) {
		if (k->len == 1 && k->p[0] == '=')
			*op = OP_EQ;
		else if (k->len == 2 && !memcmp(k->p, "==", 2))
			*op = OP_EQ;
		else if (k->len == 2 && !memcmp(k->p, "!=", 2))
			*op = OP_NE;
		else if (k->p[0] == '<')
			*op = k->len == 2 ? OP_LE : OP_LT;
		else if (k->p[0] == '>')
			*op = k->len == 2 ? OP_GE : OP_GT;
		else
			return false;
		return true;
	}
	for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
		if (tok_is(k, word_ops[i].name)) {
			*op = word_ops[i].op;
			return true;
		}
	return false;
}

/* The right-hand side of "in": (a, b, LIST) or LIST. */
static void parse_list_rhs(struct parser *ps, struct expr *x)
{
	if (ps->tok.kind == T_WORD) {
		size_t n;

		if (!ps->scope || !ps->scope->list ||
		    !ps->scope->list(ps->scope->ctx, ps->tok.p, ps->tok.len, &n)) {
			fail(ps, ps->tok.off, "'in' wants a list in parentheses or a list name, "
			     "not '%.*s'", (int)ps->tok.len, ps->tok.p);
			return;
		}
		add_item(ps, x, &ps->tok);
		next(ps);
		return;
	}
	if (ps->tok.kind != T_LPAREN) {
		fail(ps, ps->tok.off, "'in' wants a list in parentheses");
		return;
	}
	next(ps);
	while (!ps->failed) {
		if (ps->tok.kind != T_WORD && ps->tok.kind != T_STRING) {
			fail(ps, ps->tok.off, "expected a list item");
			return;
		}
		add_item(ps, x, &ps->tok);
		next(ps);
		if (ps->tok.kind == T_RPAREN)
			break;
		if (ps->tok.kind != T_COMMA) {
			fail(ps, ps->tok.off, "expected ',' or ')' in the list");
			return;
		}
		next(ps);
	}
	next(ps);
}

/* FIELD[KEY] of a keyed field: KEY is a label name (letters, digits, . _ - /). */
static bool parse_key(struct parser *ps, struct expr *x, const char *br)
{
	const struct tok k = ps->tok;
	size_t len = br ? (size_t)(k.p + k.len - br) : 0;

	if (!br || len < 3 || br[len - 1] != ']' ||
	    strspn(br + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
		    len - 2) {
		fail(ps, k.off, "'%s' takes a label name: %s[KEY]", x->field->name,
		     x->field->name);
		return false;
	}
	x->key = strndup(br + 1, len - 2);
	if (!x->key) {
		fail(ps, k.off, "%s", "out of memory");
		return false;
	}
	return true;
}

/* FIELD or FIELD[N]: the field, its index, whether it is "any ancestor". */
static bool parse_field(struct parser *ps, struct expr *x)
{
	const struct tok k = ps->tok;
	const char *br = memchr(k.p, '[', k.len);
	size_t name_len = br ? (size_t)(br - k.p) : k.len;

	x->field = field_lookup(k.p, name_len);
	if (!x->field) {
		fail(ps, k.off, "unknown field or macro '%.*s'", (int)name_len, k.p);
		return false;
	}
	if (x->field->keyed)
		return parse_key(ps, x, br);
	if (br) {
		int64_t idx;

		if (!x->field->indexed || k.p[k.len - 1] != ']' ||
		    !parse_int(br + 1, k.len - name_len - 2, &idx) || idx < 0 ||
		    idx > FORMAT_ANCESTORS_MAX) {
			fail(ps, k.off, "bad index in '%.*s' (fields taking [N]: proc.aname, "
			     "proc.aexe, proc.apid, proc.acmdline; N from 0 to %d)", (int)k.len,
			     k.p, FORMAT_ANCESTORS_MAX);
			return false;
		}
		x->idx = idx;
	} else if (x->field->ancestors) {
		x->any_ancestor = true;
	}
	return true;
}

static struct expr *parse_compare(struct parser *ps)
{
	struct expr *x = node(ps, N_CMP);
	size_t off = ps->tok.off;

	if (!x)
		return NULL;
	if (!parse_field(ps, x))
		return x;
	next(ps);
	if (!parse_op(ps, &x->op)) {
		if (x->field->type != FT_BOOL) {
			fail(ps, off, "field '%s' needs an operator and a value", x->field->name);
			return x;
		}
		x->op = OP_TRUE;	/* a bool field alone: "is true" */
		return x;
	}
	if (!op_allowed(x->op, x->field->type)) {
		fail(ps, ps->tok.off, "operator '%s' does not apply to %s field '%s'",
		     op_text(x->op), ftype_name(x->field->type), x->field->name);
		return x;
	}
	next(ps);
	if (x->op == OP_IN) {
		parse_list_rhs(ps, x);
		return x;
	}
	if (ps->tok.kind != T_WORD && ps->tok.kind != T_STRING) {
		fail(ps, ps->tok.off, "expected a value after '%s'", op_text(x->op));
		return x;
	}
	add_value(ps, x, ps->tok.p, ps->tok.len, ps->tok.off);
	next(ps);
	return x;
}

static struct expr *parse_not(struct parser *ps)
{
	if (tok_is(&ps->tok, "not")) {
		struct expr *x = node(ps, N_NOT);

		next(ps);
		if (x)
			x->l = parse_not(ps);
		return x;
	}
	if (ps->tok.kind == T_LPAREN) {
		struct expr *x;
		size_t off = ps->tok.off;

		next(ps);
		x = parse_or(ps);
		if (ps->tok.kind != T_RPAREN)
			fail(ps, ps->tok.kind == T_EOF ? off : ps->tok.off,
			     ps->tok.kind == T_EOF ? "unbalanced '('" : "expected ')'");
		next(ps);
		return x;
	}
	if (ps->tok.kind != T_WORD) {
		fail(ps, ps->tok.off, ps->tok.kind == T_EOF ? "condition ends too early"
							    : "expected a field, a macro or '('");
		return NULL;
	}
	if (ps->scope && ps->scope->macro && !memchr(ps->tok.p, '.', ps->tok.len)) {
		char err[200] = "";
		const struct expr *m = ps->scope->macro(ps->scope->ctx, ps->tok.p, ps->tok.len,
							err, sizeof(err));

		if (err[0]) {
			fail(ps, ps->tok.off, "%s", err);
			return NULL;
		}
		if (m) {
			struct expr *x = node(ps, N_MACRO);

			if (x)
				x->macro = m;
			next(ps);
			return x;
		}
	}
	return parse_compare(ps);
}

static struct expr *parse_binary(struct parser *ps, const char *word, enum nkind kind,
				 struct expr *(*sub)(struct parser *))
{
	struct expr *l = sub(ps);

	while (!ps->failed && tok_is(&ps->tok, word)) {
		struct expr *x = node(ps, kind);

		next(ps);
		if (!x)
			break;
		x->l = l;
		x->r = sub(ps);
		l = x;
	}
	return l;
}

static struct expr *parse_and(struct parser *ps)
{
	return parse_binary(ps, "and", N_AND, parse_not);
}

static struct expr *parse_or(struct parser *ps)
{
	return parse_binary(ps, "or", N_OR, parse_and);
}

struct expr *expr_compile(const char *text, const struct expr_scope *scope,
			  struct expr_error *err)
{
	struct parser ps = { .text = text, .scope = scope, .err = err };
	struct expr *x;

	memset(err, 0, sizeof(*err));
	next(&ps);
	if (ps.tok.kind == T_EOF && !ps.failed)
		fail(&ps, 0, "empty condition");
	x = parse_or(&ps);
	if (!ps.failed && ps.tok.kind != T_EOF)
		fail(&ps, ps.tok.off, "unexpected '%.*s' (missing 'and'/'or'?)", (int)ps.tok.len,
		     ps.tok.p);
	if (ps.failed) {
		expr_free(x);
		return NULL;
	}
	return x;
}

/* ---- evaluation ---- */

static bool mem_contains(const char *s, size_t len, const char *needle, size_t nlen)
{
	return nlen == 0 || (len >= nlen && memmem(s, len, needle, nlen));
}

static bool icontains(const char *s, size_t len, const char *lower, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= len; i++) {
		size_t k = 0;

		while (k < nlen && tolower((unsigned char)s[i + k]) == lower[k])
			k++;
		if (k == nlen)
			return true;
	}
	return false;
}

static bool glob_match(const char *pattern, const char *s, size_t len)
{
	char buf[VGL_PATH_MAX + 1];

	if (len > VGL_PATH_MAX)
		len = VGL_PATH_MAX;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return fnmatch(pattern, buf, 0) == 0;
}

static bool str_eq(const struct fval *f, const struct value *v)
{
	return f->len == v->len && !memcmp(f->s, v->s, v->len);
}

static bool addr_match(const struct fval *f, const struct value *v)
{
	unsigned int bits = v->prefix, full = bits / 8, rest = bits % 8;

	if (f->addr_len != v->addr_len)
		return false;
	if (memcmp(f->addr, v->addr, full))
		return false;
	if (rest) {
		uint8_t mask = 0xff << (8 - rest);

		return (f->addr[full] & mask) == (v->addr[full] & mask);
	}
	return true;
}

static bool value_eq(const struct fval *f, const struct value *v)
{
	switch (f->type) {
	case FT_STR: return str_eq(f, v);
	case FT_ADDR: return addr_match(f, v);
	default: return f->i == v->i;
	}
}

static bool compare(const struct expr *x, const struct fval *f)
{
	const struct value *v = x->vals;

	switch (x->op) {
	case OP_TRUE: return f->i != 0;
	case OP_EQ: return value_eq(f, v);
	case OP_NE: return !value_eq(f, v);
	case OP_LT: return f->i < v->i;
	case OP_LE: return f->i <= v->i;
	case OP_GT: return f->i > v->i;
	case OP_GE: return f->i >= v->i;
	case OP_IN:
		for (size_t i = 0; i < x->nvals; i++)
			if (value_eq(f, &x->vals[i]))
				return true;
		return false;
	case OP_STARTSWITH: return f->len >= v->len && !memcmp(f->s, v->s, v->len);
	case OP_ENDSWITH:
		return f->len >= v->len && !memcmp(f->s + f->len - v->len, v->s, v->len);
	case OP_CONTAINS: return mem_contains(f->s, f->len, v->s, v->len);
	case OP_ICONTAINS: return icontains(f->s, f->len, v->s, v->len);
	case OP_GLOB: return glob_match(v->s, f->s, f->len);
	}
	return false;
}

/* A field the event does not carry makes every comparison false. */
static bool eval_cmp(const struct expr *x, const struct field_ctx *c)
{
	struct fval f;

	/* "in" an empty list is never true: do not read the field (some, like
	 * proc.exe_sha256, cost I/O) */
	if (x->op == OP_IN && x->nvals == 0)
		return false;

	if (x->key) {
		struct field_ctx kc = *c;

		kc.key = x->key;
		return field_get(x->field, &kc, 0, &f) == 0 && compare(x, &f);
	}
	if (!x->any_ancestor)
		return field_get(x->field, c, x->idx, &f) == 0 && compare(x, &f);
	for (int i = 1; i <= c->e->nr_anc; i++)
		if (field_get(x->field, c, i, &f) == 0 && compare(x, &f))
			return true;
	return false;
}

bool expr_eval(const struct expr *x, const struct field_ctx *c)
{
	switch (x->kind) {
	case N_AND: return expr_eval(x->l, c) && expr_eval(x->r, c);
	case N_OR: return expr_eval(x->l, c) || expr_eval(x->r, c);
	case N_NOT: return !expr_eval(x->l, c);
	case N_MACRO: return expr_eval(x->macro, c);
	case N_CMP: return eval_cmp(x, c);
	}
	return false;
}

event_mask_t expr_event_types(const struct expr *x)
{
	event_mask_t m = 0;

	switch (x->kind) {
	case N_AND: return expr_event_types(x->l) & expr_event_types(x->r);
	case N_OR: return expr_event_types(x->l) | expr_event_types(x->r);
	case N_NOT: return EVENT_ALL;	/* "not X" says nothing about the type */
	case N_MACRO: return expr_event_types(x->macro);
	case N_CMP:
		if (strcmp(x->field->name, "evt.type") || (x->op != OP_EQ && x->op != OP_IN))
			return x->field->events & EVENT_ALL;
		for (size_t i = 0; i < x->nvals; i++)
			m |= EVENT_BIT(event_type_by_name(x->vals[i].s));
		return m;
	}
	return EVENT_ALL;
}

void expr_inspect(const struct expr *x, struct expr_node *out)
{
	while (x->kind == N_MACRO)
		x = x->macro;
	memset(out, 0, sizeof(*out));
	switch (x->kind) {
	case N_AND: out->kind = EXPR_AND; break;
	case N_OR: out->kind = EXPR_OR; break;
	case N_NOT: out->kind = EXPR_NOT; break;
	default: out->kind = EXPR_CMP; break;
	}
	out->l = x->l;
	out->r = x->r;
	out->field = x->field;
	out->idx = x->any_ancestor ? -1 : x->idx;
	out->op = (enum expr_op)x->op;
	out->nvals = x->nvals;
}

void expr_value_at(const struct expr *x, size_t i, struct expr_value *out)
{
	const struct value *v;

	while (x->kind == N_MACRO)
		x = x->macro;
	v = &x->vals[i];
	out->s = v->s;
	out->len = v->len;
	out->i = v->i;
	out->addr = v->addr_len ? v->addr : NULL;
	out->addr_len = v->addr_len;
	out->prefix = v->prefix;
}
