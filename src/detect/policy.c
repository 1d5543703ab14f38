// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - see policy.h. YAML is parsed with libyaml's document API
 * (nodes keep their source marks), then built in two passes: gather every
 * list, macro and rule of every source in order (later ones replace
 * earlier ones), then compile what is left. Macros compile on first use,
 * so their order does not matter; a cycle is an error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "detect/policy.h"

#define POLICY_MAX_BYTES (16 << 20)

/* ---- diagnostics ---- */

void diags_add(struct diags *d, const char *file, int line, int col, const char *fmt, ...)
{
	struct diag *nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	va_list ap;
	char *msg = NULL;

	if (!nv)
		return;
	d->v = nv;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	d->v[d->n].file = strdup(file ? file : "?");
	d->v[d->n].line = line;
	d->v[d->n].col = col;
	d->v[d->n].msg = msg;
	d->n++;
}

/* Order of printing: by file (in order of first mention), line, column. */
struct diag_order {
	const struct diag *dg;
	size_t file_rank;
	size_t seq;
};

static int diag_cmp(const void *a, const void *b)
{
	const struct diag_order *x = a, *y = b;

	if (x->file_rank != y->file_rank)
		return x->file_rank < y->file_rank ? -1 : 1;
	if (x->dg->line != y->dg->line)
		return x->dg->line - y->dg->line;
	if (x->dg->col != y->dg->col)
		return x->dg->col - y->dg->col;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diags_print(const struct diags *d, FILE *f)
{
	struct diag_order *o = calloc(d->n ? d->n : 1, sizeof(*o));

	for (size_t i = 0; o && i < d->n; i++) {
		size_t rank = i;

		for (size_t k = 0; k < i; k++)
			if (!strcmp(d->v[k].file, d->v[i].file)) {
				rank = o[k].file_rank;
				break;
			}
		o[i] = (struct diag_order){ &d->v[i], rank, i };
	}
	if (o)
		qsort(o, d->n, sizeof(*o), diag_cmp);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *dg = o ? o[i].dg : &d->v[i];

		fprintf(f, "%s:%d:%d: %s\n", dg->file, dg->line, dg->col,
			dg->msg ? dg->msg : "out of memory");
	}
	free(o);
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };

	return names[s];
}

const char *rule_action_name(enum rule_action a)
{
	static const char *const names[] = { "alert", "kill", "block" };

	return names[a];
}

const char *rule_scope_name(enum rule_scope s)
{
	static const char *const names[] = { "both", "host", "containers" };

	return names[s];
}

/* ---- sources ---- */

int policy_read_file(const char *path, struct policy_source *out, struct diags *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || fstat(fd, &st)) {
		int err = errno;

		diags_add(d, path, 1, 1, "cannot read policy: %s", strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	if (st.st_size > POLICY_MAX_BYTES) {
		diags_add(d, path, 1, 1, "policy larger than %d bytes", POLICY_MAX_BYTES);
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	out->name = strdup(path);
	out->text = buf;
	out->len = got;
	return 0;
}

void policy_source_free(struct policy_source *s)
{
	free((char *)s->name);
	free((char *)s->text);
	memset(s, 0, sizeof(*s));
}

/* ---- raw items gathered from the YAML ---- */

/* Where a scalar's text starts in its source, to place errors inside it. */
struct pos {
	const struct policy_source *src;
	size_t index;		/* byte offset of the node in src->text */
	int line, col;		/* 1-based */
};

struct raw_list {
	char *name;
	char **items;
	size_t n;
	struct pos pos;
};

struct raw_macro {
	char *name;
	char *condition;
	struct pos pos, cond_pos;
	struct expr *compiled;
	int state;		/* 0 new, 1 compiling, 2 done, 3 failed */
};

struct raw_rule {
	yaml_document_t *doc;	/* owned by the store; node points into it */
	yaml_node_t *node;
	const struct policy_source *src;
	char *id;
	bool enabled;
	bool toggle_only;	/* {id, enabled} to switch an existing rule */
	struct pos pos;
};

struct policy_store {
	struct raw_list *lists;
	size_t nlists;
	struct raw_macro *macros;
	size_t nmacros;
	struct raw_rule *rules;
	size_t nrules;
	yaml_document_t **docs;
	size_t ndocs;
	struct diags *d;	/* during the build only */
};

static struct pos node_pos(const struct policy_source *src, const yaml_node_t *n)
{
	struct pos p = { src, n->start_mark.index, (int)n->start_mark.line + 1,
			 (int)n->start_mark.column + 1 };

	return p;
}

static void diag_at(struct policy_store *st, const struct pos *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void diag_at(struct policy_store *st, const struct pos *p, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diags_add(st->d, p->src->name, p->line, p->col, "%s", msg ? msg : "out of memory");
	free(msg);
}

/*
 * Position of byte off of a scalar's value in its source. Block and folded
 * scalars do not keep their line breaks and indentation in the value, so
 * walk value and source together, skipping whitespace on both sides.
 */
static struct pos value_pos(const struct pos *start, const char *value, size_t off)
{
	const char *src = start->src->text, *s = src + start->index;
	struct pos p = *start;

	if (*s == '"' || *s == '\'' || *s == '|' || *s == '>') {
		char q = *s++;

		if (q == '|' || q == '>')
			while (*s && *s != '\n')
				s++;
	}
	for (size_t i = 0; i < off && *s; i++) {
		if (isspace((unsigned char)value[i]))
			continue;
		while (*s && isspace((unsigned char)*s))
			s++;
		if (*s)
			s++;
	}
	if (off < strlen(value))	/* at the end: stay after the last character */
		while (*s && isspace((unsigned char)*s))
			s++;
	p.index = s - src;
	p.line = 1;
	p.col = 1;
	for (const char *c = src; c < s; c++) {
		if (*c == '\n') {
			p.line++;
			p.col = 1;
		} else {
			p.col++;
		}
	}
	return p;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value node of key in mapping m, or NULL. */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* Every key of m must be in allowed (NULL-terminated). */
static bool check_keys(struct policy_store *st, const struct policy_source *src,
		       yaml_document_t *doc, yaml_node_t *m, const char *what,
		       const char *const *allowed)
{
	bool ok = true;

	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);
		const char *k = scalar(kn);
		struct pos pos = node_pos(src, kn);
		bool known = false;

		for (size_t i = 0; k && allowed[i]; i++)
			known |= !strcmp(k, allowed[i]);
		if (!known) {
			diag_at(st, &pos, "unknown key '%s' in %s", k ? k : "?", what);
			ok = false;
		}
	}
	return ok;
}

/* A required scalar value; diag when missing. */
static const char *need_scalar(struct policy_store *st, const struct policy_source *src,
			       yaml_document_t *doc, yaml_node_t *m, const char *key,
			       const char *what)
{
	yaml_node_t *v = map_get(doc, m, key);
	struct pos pos = node_pos(src, v ? v : m);

	if (!v) {
		diag_at(st, &pos, "%s has no '%s'", what, key);
		return NULL;
	}
	if (!scalar(v) || !*scalar(v)) {
		diag_at(st, &pos, "'%s' of %s must be a non-empty string", key, what);
		return NULL;
	}
	return scalar(v);
}

/* Strings of a sequence node (or a lone scalar). NULL-terminated, malloc'd. */
static char **string_list(struct policy_store *st, const struct policy_source *src,
			  yaml_document_t *doc, yaml_node_t *n, const char *key, size_t *count)
{
	size_t cap, k = 0;
	char **out;

	*count = 0;
	if (n->type == YAML_SCALAR_NODE) {
		out = calloc(2, sizeof(*out));
		if (out && (out[0] = strdup(scalar(n))))
			*count = 1;
		return out;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		struct pos pos = node_pos(src, n);

		diag_at(st, &pos, "'%s' must be a list of strings", key);
		return NULL;
	}
	cap = n->data.sequence.items.top - n->data.sequence.items.start;
	out = calloc(cap + 1, sizeof(*out));
	for (yaml_node_item_t *i = n->data.sequence.items.start; out && i < n->data.sequence.items.top;
	     i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *i);
		const char *s = scalar(item);

		if (!s) {
			struct pos pos = node_pos(src, item);

			diag_at(st, &pos, "items of '%s' must be strings", key);
			continue;
		}
		out[k++] = strdup(s);
	}
	*count = k;
	return out;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- pass 1: gather ---- */

static void gather_list(struct policy_store *st, const struct policy_source *src,
			yaml_document_t *doc, yaml_node_t *m)
{
	static const char *const keys[] = { "list", "items", "append", NULL };
	const char *name = need_scalar(st, src, doc, m, "list", "a list");
	yaml_node_t *items = map_get(doc, m, "items");
	const char *append = scalar(map_get(doc, m, "append"));
	struct raw_list *l = NULL;
	size_t n;
	char **v;

	if (!check_keys(st, src, doc, m, "a list", keys) || !name)
		return;
	if (!items) {
		struct pos pos = node_pos(src, m);

		diag_at(st, &pos, "list '%s' has no 'items'", name);
		return;
	}
	v = string_list(st, src, doc, items, "items", &n);
	for (size_t i = 0; i < st->nlists; i++)
		if (!strcmp(st->lists[i].name, name))
			l = &st->lists[i];
	if (l && append && !strcmp(append, "true")) {
		char **nv = realloc(l->items, (l->n + n + 1) * sizeof(*nv));

		if (nv) {
			memcpy(nv + l->n, v, n * sizeof(*nv));
			l->items = nv;
			l->n += n;
			l->items[l->n] = NULL;
			free(v);
		}
		return;
	}
	if (!l) {
		struct raw_list *nl = realloc(st->lists, (st->nlists + 1) * sizeof(*nl));

		if (!nl)
			return;
		st->lists = nl;
		l = &st->lists[st->nlists++];
		memset(l, 0, sizeof(*l));
		l->name = strdup(name);
	} else {
		free_strings(l->items, l->n);
	}
	l->items = v;
	l->n = n;
	l->pos = node_pos(src, m);
}

static void gather_macro(struct policy_store *st, const struct policy_source *src,
			 yaml_document_t *doc, yaml_node_t *m)
{
	static const char *const keys[] = { "macro", "condition", NULL };
	const char *name = need_scalar(st, src, doc, m, "macro", "a macro");
	const char *cond = need_scalar(st, src, doc, m, "condition", "a macro");
	struct raw_macro *mc = NULL;

	if (!check_keys(st, src, doc, m, "a macro", keys) || !name || !cond)
		return;
	for (size_t i = 0; i < st->nmacros; i++)
		if (!strcmp(st->macros[i].name, name))
			mc = &st->macros[i];
	if (!mc) {
		struct raw_macro *nm = realloc(st->macros, (st->nmacros + 1) * sizeof(*nm));

		if (!nm)
			return;
		st->macros = nm;
		mc = &st->macros[st->nmacros++];
		memset(mc, 0, sizeof(*mc));
		mc->name = strdup(name);
	} else {
		free(mc->condition);
	}
	mc->condition = strdup(cond);
	mc->pos = node_pos(src, m);
	mc->cond_pos = node_pos(src, map_get(doc, m, "condition"));
}

static void gather_rule(struct policy_store *st, const struct policy_source *src,
			yaml_document_t *doc, yaml_node_t *m)
{
	const char *id = need_scalar(st, src, doc, m, "id", "a rule");
	const char *enabled = scalar(map_get(doc, m, "enabled"));
	struct raw_rule *r = NULL;
	bool toggle = map_get(doc, m, "enabled") && m->data.mapping.pairs.top -
						    m->data.mapping.pairs.start == 2;

	if (!id)
		return;
	for (size_t i = 0; i < st->nrules; i++)
		if (!strcmp(st->rules[i].id, id))
			r = &st->rules[i];
	if (toggle) {
		struct pos pos = node_pos(src, m);

		if (!r) {
			diag_at(st, &pos, "cannot switch rule '%s': no such rule before here", id);
			return;
		}
		if (!enabled || (strcmp(enabled, "true") && strcmp(enabled, "false"))) {
			diag_at(st, &pos, "'enabled' must be true or false");
			return;
		}
		r->enabled = !strcmp(enabled, "true");
		return;
	}
	if (!r) {
		struct raw_rule *nr = realloc(st->rules, (st->nrules + 1) * sizeof(*nr));

		if (!nr)
			return;
		st->rules = nr;
		r = &st->rules[st->nrules++];
		memset(r, 0, sizeof(*r));
		r->id = strdup(id);
	}
	r->doc = doc;
	r->node = m;
	r->src = src;
	r->enabled = true;
	r->pos = node_pos(src, m);
}

static void gather_source(struct policy_store *st, const struct policy_source *src)
{
	yaml_parser_t parser;
	yaml_document_t *doc = calloc(1, sizeof(*doc));
	yaml_node_t *root;

	if (!doc || !yaml_parser_initialize(&parser)) {
		free(doc);
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)src->text, src->len);
	if (!yaml_parser_load(&parser, doc)) {
		diags_add(st->d, src->name, (int)parser.problem_mark.line + 1,
			  (int)parser.problem_mark.column + 1, "YAML: %s%s%s",
			  parser.problem ? parser.problem : "syntax error",
			  parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		free(doc);
		return;
	}
	yaml_parser_delete(&parser);
	yaml_document_t **nd = realloc(st->docs, (st->ndocs + 1) * sizeof(*nd));
	if (!nd) {
		yaml_document_delete(doc);
		free(doc);
		return;
	}
	st->docs = nd;
	st->docs[st->ndocs++] = doc;

	root = yaml_document_get_root_node(doc);
	if (!root)
		return;		/* an empty file is an empty policy */
	if (root->type != YAML_SEQUENCE_NODE) {
		struct pos pos = node_pos(src, root);

		diag_at(st, &pos, "a policy is a list of rules, lists and macros");
		return;
	}
	for (yaml_node_item_t *i = root->data.sequence.items.start; i < root->data.sequence.items.top;
	     i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *i);
		struct pos pos = node_pos(src, item);

		if (item->type != YAML_MAPPING_NODE)
			diag_at(st, &pos, "expected a rule, a list or a macro (a mapping)");
		else if (map_get(doc, item, "list"))
			gather_list(st, src, doc, item);
		else if (map_get(doc, item, "macro"))
			gather_macro(st, src, doc, item);
		else if (map_get(doc, item, "id"))
			gather_rule(st, src, doc, item);
		else
			diag_at(st, &pos, "expected a rule (id:), a list (list:) or a macro (macro:)");
	}
}

/* ---- pass 2: compile ---- */

static const char *const *scope_list(void *ctx, const char *name, size_t len, size_t *n)
{
	struct policy_store *st = ctx;

	for (size_t i = 0; i < st->nlists; i++)
		if (strlen(st->lists[i].name) == len && !memcmp(st->lists[i].name, name, len)) {
			*n = st->lists[i].n;
			return (const char *const *)st->lists[i].items;
		}
	return NULL;
}

static struct expr *compile_at(struct policy_store *st, const char *text, const struct pos *pos);

static const struct expr *scope_macro(void *ctx, const char *name, size_t len, char *err,
				      size_t errlen)
{
	struct policy_store *st = ctx;

	for (size_t i = 0; i < st->nmacros; i++) {
		struct raw_macro *m = &st->macros[i];

		if (strlen(m->name) != len || memcmp(m->name, name, len))
			continue;
		if (m->state == 1) {
			snprintf(err, errlen, "macro '%s' refers to itself", m->name);
			return NULL;
		}
		if (m->state == 0) {
			m->state = 1;
			m->compiled = compile_at(st, m->condition, &m->cond_pos);
			m->state = m->compiled ? 2 : 3;
		}
		if (m->state == 3)
			snprintf(err, errlen, "macro '%s' does not compile", m->name);
		return m->compiled;
	}
	return NULL;
}

/* Compile a condition whose text starts at pos; diag on error. */
static struct expr *compile_at(struct policy_store *st, const char *text, const struct pos *pos)
{
	struct expr_scope scope = { st, scope_list, scope_macro };
	struct expr_error err;
	struct expr *x = expr_compile(text, &scope, &err);

	if (!x) {
		struct pos at = value_pos(pos, text, err.offset);

		diag_at(st, &at, "%s", err.msg);
	}
	return x;
}

static bool parse_enum(const char *s, const char *const *names, size_t n, int *out)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return true;
		}
	return false;
}

/* Output template: text with %field or %field[N]; %% is a percent sign. */
static bool compile_output(struct policy_store *st, struct rule *r, const char *text,
			   const struct pos *pos)
{
	const char *p = text, *lit = text;

	for (;;) {
		const char *pct = strchr(p, '%');
		struct out_seg *ns = realloc(r->output, (r->noutput + 1) * sizeof(*ns));
		struct out_seg *seg;
		size_t flen = 0;

		if (!ns)
			return false;
		r->output = ns;
		seg = &r->output[r->noutput];
		memset(seg, 0, sizeof(*seg));
		if (!pct) {
			seg->lit = strdup(lit);
			r->noutput++;
			return true;
		}
		if (pct[1] == '%') {	/* literal percent: keep it, skip the second */
			seg->lit = strndup(lit, pct + 1 - lit);
			r->noutput++;
			p = lit = pct + 2;
			continue;
		}
		while (pct[1 + flen] &&
		       (isalnum((unsigned char)pct[1 + flen]) || strchr("._[]", pct[1 + flen])))
			flen++;
		while (flen && pct[flen] == '.')	/* a sentence's full stop */
			flen--;
		const char *br = memchr(pct + 1, '[', flen);
		size_t name_len = br ? (size_t)(br - pct - 1) : flen;

		seg->field = flen ? field_lookup(pct + 1, name_len) : NULL;
		if (!seg->field) {
			struct pos at = value_pos(pos, text, pct - text);

			diag_at(st, &at, "output: unknown field '%%%.*s'", (int)flen, pct + 1);
			return false;
		}
		if (br)
			seg->idx = atoi(br + 1);
		seg->lit = strndup(lit, pct - lit);
		r->noutput++;
		p = lit = pct + 1 + flen;
	}
}

static bool compile_window(struct policy_store *st, const struct policy_source *src,
			   yaml_document_t *doc, yaml_node_t *w, struct rule *r)
{
	static const char *const keys[] = { "key", "distinct", "count", "seconds", NULL };
	yaml_node_t *key = map_get(doc, w, "key");
	const char *distinct = scalar(map_get(doc, w, "distinct"));
	const char *count = scalar(map_get(doc, w, "count"));
	const char *seconds = scalar(map_get(doc, w, "seconds"));
	struct pos pos = node_pos(src, w);
	char **keysv = NULL;
	size_t nk = 0;
	bool ok = true;

	if (w->type != YAML_MAPPING_NODE) {
		diag_at(st, &pos, "'window' must be a mapping (key, distinct, count, seconds)");
		return false;
	}
	if (!check_keys(st, src, doc, w, "a window", keys))
		return false;
	if (key)
		keysv = string_list(st, src, doc, key, "key", &nk);
	if (!nk || nk > WINDOW_KEYS_MAX) {
		diag_at(st, &pos, "window needs 1 to %d key fields", WINDOW_KEYS_MAX);
		ok = false;
	}
	for (size_t i = 0; ok && i < nk; i++) {
		r->window.key[i] = field_lookup(keysv[i], strlen(keysv[i]));
		if (!r->window.key[i]) {
			diag_at(st, &pos, "window: unknown key field '%s'", keysv[i]);
			ok = false;
		}
	}
	r->window.nkeys = nk;
	free_strings(keysv, nk);
	if (distinct && !(r->window.distinct = field_lookup(distinct, strlen(distinct)))) {
		diag_at(st, &pos, "window: unknown distinct field '%s'", distinct);
		ok = false;
	}
	char *end;
	long c = count ? strtol(count, &end, 10) : 0;
	if (!count || *end || c < 2 || c > WINDOW_COUNT_MAX) {
		diag_at(st, &pos, "window: 'count' must be a number from 2 to %d", WINDOW_COUNT_MAX);
		ok = false;
	}
	double s = seconds ? strtod(seconds, &end) : 0;
	if (!seconds || *end || s <= 0 || s > 3600) {
		diag_at(st, &pos, "window: 'seconds' must be a number from 0 to 3600");
		ok = false;
	}
	r->window.count = c;
	r->window.window_ns = s * 1e9;
	return ok;
}

static bool compile_exceptions(struct policy_store *st, const struct policy_source *src,
			       yaml_document_t *doc, yaml_node_t *n, struct rule *r)
{
	static const char *const keys[] = { "name", "condition", NULL };
	struct pos pos = node_pos(src, n);
	size_t cap;
	bool ok = true;

	if (n->type != YAML_SEQUENCE_NODE) {
		diag_at(st, &pos, "'exceptions' must be a list of {name, condition}");
		return false;
	}
	cap = n->data.sequence.items.top - n->data.sequence.items.start;
	r->exceptions = calloc(cap ? cap : 1, sizeof(*r->exceptions));
	r->exception_names = calloc(cap ? cap : 1, sizeof(*r->exception_names));
	if (!r->exceptions || !r->exception_names)
		return false;
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(doc, *i);
		struct pos epos = node_pos(src, e);
		const char *name, *cond;

		if (e->type != YAML_MAPPING_NODE) {
			diag_at(st, &epos, "an exception is a mapping {name, condition}");
			ok = false;
			continue;
		}
		name = need_scalar(st, src, doc, e, "name", "an exception");
		cond = need_scalar(st, src, doc, e, "condition", "an exception");
		if (!check_keys(st, src, doc, e, "an exception", keys) || !name || !cond) {
			ok = false;
			continue;
		}
		struct pos cpos = node_pos(src, map_get(doc, e, "condition"));
		struct expr *x = compile_at(st, cond, &cpos);

		if (!x) {
			ok = false;
			continue;
		}
		r->exceptions[r->nexceptions] = x;
		r->exception_names[r->nexceptions++] = strdup(name);
	}
	return ok;
}

void rule_free(struct rule *r);

/* Compile one gathered rule. NULL (with diags) when it does not compile. */
static struct rule *compile_rule(struct policy_store *st, const struct raw_rule *raw)
{
	static const char *const keys[] = {
		"id", "name", "description", "severity", "mitre", "tags", "condition", "exceptions",
		"scope", "action", "output", "enabled", "window", "false_positives", NULL,
	};
	static const char *const sev[] = { "info", "low", "medium", "high", "critical" };
	static const char *const act[] = { "alert", "kill", "block" };
	static const char *const scp[] = { "both", "host", "containers" };
	yaml_document_t *doc = raw->doc;
	yaml_node_t *m = raw->node;
	const struct policy_source *src = raw->src;
	char what[128];
	struct rule *r = calloc(1, sizeof(*r));
	bool ok;
	int v = 0;

	if (!r)
		return NULL;
	snprintf(what, sizeof(what), "rule '%s'", raw->id);
	ok = check_keys(st, src, doc, m, what, keys);
	r->id = strdup(raw->id);
	const char *name = need_scalar(st, src, doc, m, "name", what);
	const char *cond = need_scalar(st, src, doc, m, "condition", what);
	const char *out = need_scalar(st, src, doc, m, "output", what);
	const char *s = need_scalar(st, src, doc, m, "severity", what);
	ok &= name && cond && out && s;
	if (s && !parse_enum(s, sev, 5, &v)) {
		struct pos p = node_pos(src, map_get(doc, m, "severity"));

		diag_at(st, &p, "severity '%s' is not one of critical, high, medium, low, info", s);
		ok = false;
	}
	r->severity = s ? v : 0;
	s = scalar(map_get(doc, m, "action"));
	if (s && !parse_enum(s, act, 3, &v)) {
		struct pos p = node_pos(src, map_get(doc, m, "action"));

		diag_at(st, &p, "action '%s' is not one of alert, kill, block", s);
		ok = false;
	}
	r->action = s ? v : ACT_ALERT;
	s = scalar(map_get(doc, m, "scope"));
	if (s && !parse_enum(s, scp, 3, &v)) {
		struct pos p = node_pos(src, map_get(doc, m, "scope"));

		diag_at(st, &p, "scope '%s' is not one of host, containers, both", s);
		ok = false;
	}
	r->scope = s ? v : SCOPE_BOTH;
	r->name = strdup(name ? name : "");
	r->description = strdup(scalar(map_get(doc, m, "description")) ?: "");
	r->false_positives = strdup(scalar(map_get(doc, m, "false_positives")) ?: "");
	if (asprintf(&r->source, "%s:%d", src->name, raw->pos.line) < 0)
		r->source = NULL;
	yaml_node_t *n;
	if ((n = map_get(doc, m, "mitre")))
		r->mitre = string_list(st, src, doc, n, "mitre", &r->nmitre);
	if ((n = map_get(doc, m, "tags")))
		r->tags = string_list(st, src, doc, n, "tags", &r->ntags);
	if (cond) {
		struct pos cpos = node_pos(src, map_get(doc, m, "condition"));

		r->condition_text = strdup(cond);
		r->cond = compile_at(st, cond, &cpos);
		ok &= r->cond != NULL;
	}
	if ((n = map_get(doc, m, "exceptions")))
		ok &= compile_exceptions(st, src, doc, n, r);
	if ((n = map_get(doc, m, "window"))) {
		r->has_window = true;
		ok &= compile_window(st, src, doc, n, r);
	}
	if (out) {
		struct pos opos = node_pos(src, map_get(doc, m, "output"));

		ok &= compile_output(st, r, out, &opos);
	}
	if (r->cond) {
		r->events = expr_event_types(r->cond);
		if (r->events == EVENT_ALL) {
			struct pos cpos = node_pos(src, map_get(doc, m, "condition"));

			diag_at(st, &cpos, "rule '%s' could match every event type: restrict "
				"evt.type (e.g. evt.type in (exec, open)) so unneeded hooks stay "
				"off", r->id);
			ok = false;
		}
	}
	if (!ok) {
		rule_free(r);
		return NULL;
	}
	return r;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->name);
	free(r->description);
	free(r->false_positives);
	free(r->source);
	free_strings(r->mitre, r->nmitre);
	free_strings(r->tags, r->ntags);
	free(r->condition_text);
	expr_free(r->cond);
	for (size_t i = 0; i < r->nexceptions; i++) {
		expr_free(r->exceptions[i]);
		free(r->exception_names[i]);
	}
	free(r->exceptions);
	free(r->exception_names);
	for (size_t i = 0; i < r->noutput; i++)
		free(r->output[i].lit);
	free(r->output);
	free(r);
}

static void store_free(struct policy_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nlists; i++) {
		free(st->lists[i].name);
		free_strings(st->lists[i].items, st->lists[i].n);
	}
	free(st->lists);
	for (size_t i = 0; i < st->nmacros; i++) {
		free(st->macros[i].name);
		free(st->macros[i].condition);
		expr_free(st->macros[i].compiled);
	}
	free(st->macros);
	for (size_t i = 0; i < st->nrules; i++)
		free(st->rules[i].id);
	free(st->rules);
	for (size_t i = 0; i < st->ndocs; i++) {
		yaml_document_delete(st->docs[i]);
		free(st->docs[i]);
	}
	free(st->docs);
	free(st);
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (unsigned int t = 0; t < VGL_EV_MAX; t++)
		free(rs->by_type[t]);
	store_free(rs->store);
	free(rs);
}

static bool is_disabled(const struct ruleset_opts *o, const char *id)
{
	for (size_t i = 0; i < o->ndisabled; i++)
		if (!strcmp(o->disabled[i], id))
			return true;
	return false;
}

/* Index the compiled rules by the event types that can trigger them. */
static int index_rules(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = rs->rules[i];

		r->index = i;
		rs->events |= r->events;
		for (unsigned int t = 1; t < VGL_EV_MAX; t++) {
			struct rule **nv;

			if (!(r->events & EVENT_BIT(t)))
				continue;
			nv = realloc(rs->by_type[t], (rs->nby_type[t] + 1) * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			rs->by_type[t] = nv;
			rs->by_type[t][rs->nby_type[t]++] = r;
		}
	}
	return 0;
}

int ruleset_build(const struct ruleset_opts *opts, struct ruleset **out, struct diags *d)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	struct policy_store *st = calloc(1, sizeof(*st));
	size_t before = d->n;

	*out = NULL;
	if (!rs || !st) {
		free(rs);
		free(st);
		return -ENOMEM;
	}
	rs->store = st;
	st->d = d;
	for (size_t i = 0; i < opts->nsrcs; i++)
		gather_source(st, &opts->srcs[i]);
	for (size_t i = 0; i < opts->ndisabled; i++) {
		bool found = false;

		for (size_t k = 0; k < st->nrules; k++)
			found |= !strcmp(st->rules[k].id, opts->disabled[i]);
		if (!found)
			diags_add(d, "command line", 1, 1, "--disable-rule: no rule '%s'",
				  opts->disabled[i]);
	}
	rs->rules = calloc(st->nrules ? st->nrules : 1, sizeof(*rs->rules));
	for (size_t i = 0; rs->rules && i < st->nrules; i++) {
		struct rule *r;

		if (!st->rules[i].enabled || is_disabled(opts, st->rules[i].id) || !st->rules[i].node)
			continue;
		r = compile_rule(st, &st->rules[i]);
		if (r)
			rs->rules[rs->n++] = r;
	}
	/* macros nobody used still have to be valid */
	for (size_t i = 0; i < st->nmacros; i++)
		if (st->macros[i].state == 0) {
			char err[200] = "";

			scope_macro(st, st->macros[i].name, strlen(st->macros[i].name), err,
				    sizeof(err));
		}
	st->d = NULL;
	if (!rs->rules || d->n > before || index_rules(rs)) {
		ruleset_free(rs);
		return d->n > before ? -EINVAL : -ENOMEM;
	}
	*out = rs;
	return 0;
}

/* ---- the embedded default policy ---- */

/* Built by the Makefile from the files in policy/ (build/default_policies.S). */
struct embedded_policy {
	const char *name;
	const char *start;
	const char *end;
};

extern const struct embedded_policy vgl_default_policies[];
extern const int vgl_default_policies_count;

size_t policy_defaults(struct policy_source *out, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < vgl_default_policies_count && n < max; i++, n++) {
		out[n].name = vgl_default_policies[i].name;
		out[n].text = vgl_default_policies[i].start;
		out[n].len = vgl_default_policies[i].end - vgl_default_policies[i].start;
	}
	return n;
}
