// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - see config.h. Each section is a table of keys (name, kind,
 * where the value goes); one reader walks a mapping against its table, so
 * every section reports unknown keys and bad values the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "config/config.h"

struct reader {
	const char *path;
	yaml_document_t doc;
	int errors;
};

static void bad(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%zu:%zu: ", r->path, n->start_mark.line + 1, n->start_mark.column + 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* ---- values ---- */

enum kind {
	K_BOOL,		/* bool */
	K_U32,		/* uint32_t */
	K_U64,		/* uint64_t */
	K_STR,		/* char *, any non-empty text */
	K_PATH,		/* char *, an absolute path */
	K_PATHS,	/* struct config_list of absolute paths */
	K_WORDS,	/* struct config_list of non-empty words */
	K_CHOICE,	/* char *, one of choices */
	K_LEVEL,	/* enum log_level */
	K_SECTION,	/* a mapping read by its own function */
};

struct key {
	const char *name;
	enum kind kind;
	size_t off;			/* into the section's struct */
	size_t set_off;			/* bool "was given" flag, or SIZE_MAX */
	const char *const *choices;	/* K_CHOICE: NULL-terminated */
	void (*section)(struct reader *r, yaml_node_t *v, void *base, const char *name);
};

#define NOSET SIZE_MAX

static bool read_bool(struct reader *r, yaml_node_t *v, const char *key, bool *out)
{
	const char *s = scalar(v);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = false;
	else {
		bad(r, v, "'%s' wants true or false", key);
		return false;
	}
	return true;
}

static bool read_number(struct reader *r, yaml_node_t *v, const char *key, uint64_t max,
			uint64_t *out)
{
	const char *s = scalar(v);
	char *end;
	unsigned long long n;

	errno = 0;
	n = s && *s != '-' ? strtoull(s, &end, 10) : 0;
	if (!s || !*s || *s == '-' || *end || errno || n > max) {
		bad(r, v, "'%s' wants a number from 0 to %llu", key, (unsigned long long)max);
		return false;
	}
	*out = n;
	return true;
}

static bool set_string(struct reader *r, yaml_node_t *v, char **out)
{
	char *dup = strdup(scalar(v));

	if (!dup) {
		bad(r, v, "%s", "out of memory");
		return false;
	}
	free(*out);
	*out = dup;
	return true;
}

static bool read_list(struct reader *r, yaml_node_t *v, const char *key, bool paths,
		      struct config_list *l)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		bad(r, v, "'%s' wants a list", key);
		return false;
	}
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(&r->doc, *i);
		const char *s = scalar(item);

		if (!s || !*s || (paths && s[0] != '/')) {
			bad(r, item, "'%s' items must be %s", key,
			    paths ? "absolute paths" : "non-empty words");
			continue;
		}
		if (l->n == CONFIG_LIST_MAX) {
			bad(r, item, "'%s' holds more than %d items", key, CONFIG_LIST_MAX);
			return false;
		}
		if ((l->v[l->n] = strdup(s)))
			l->n++;
	}
	l->set = true;
	return true;
}

static const char *const level_names[] = { "error", "warning", "info", "debug", NULL };

static bool read_value(struct reader *r, yaml_node_t *v, const char *key, const struct key *k,
		       void *base)
{
	void *p = (char *)base + k->off;
	const char *s = scalar(v);
	uint64_t n;

	switch (k->kind) {
	case K_BOOL:
		return read_bool(r, v, key, p);
	case K_U32:
		if (!read_number(r, v, key, UINT32_MAX, &n))
			return false;
		*(uint32_t *)p = n;
		return true;
	case K_U64:
		return read_number(r, v, key, UINT64_MAX / 2, p);
	case K_STR:
		if (!s || !*s) {
			bad(r, v, "'%s' wants a text value", key);
			return false;
		}
		return set_string(r, v, p);
	case K_PATH:
		if (!s || s[0] != '/') {
			bad(r, v, "'%s' wants an absolute path", key);
			return false;
		}
		return set_string(r, v, p);
	case K_PATHS:
	case K_WORDS:
		return read_list(r, v, key, k->kind == K_PATHS, p);
	case K_CHOICE:
	case K_LEVEL: {
		const char *const *c = k->kind == K_LEVEL ? level_names : k->choices;

		for (size_t i = 0; s && c[i]; i++)
			if (!strcmp(s, c[i])) {
				if (k->kind == K_LEVEL)
					*(enum log_level *)p = (enum log_level)i;
				else
					return set_string(r, v, p);
				return true;
			}
		char known[256] = "";

		for (size_t i = 0; c[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", c[i]);
		bad(r, v, "'%s' wants one of: %s", key, known);
		return false;
	}
	case K_SECTION:
		k->section(r, v, p, key);
		return true;
	}
	return false;
}

/* Read mapping v against keys; prefix names the section in messages. */
static void read_mapping(struct reader *r, yaml_node_t *v, const char *prefix,
			 const struct key *keys, size_t nkeys, void *base)
{
	if (v->type != YAML_MAPPING_NODE) {
		bad(r, v, "'%s' wants a mapping of settings", prefix[0] ? prefix : "the file");
		return;
	}
	for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *kn = yaml_document_get_node(&r->doc, pr->key);
		yaml_node_t *vn = yaml_document_get_node(&r->doc, pr->value);
		const char *name = scalar(kn);
		char full[128], known[512] = "";
		size_t i;

		if (!name) {
			bad(r, kn, "%s", "keys must be plain words");
			continue;
		}
		snprintf(full, sizeof(full), "%s%s%s", prefix, prefix[0] ? "." : "", name);
		for (i = 0; i < nkeys && strcmp(keys[i].name, name); i++)
			;
		if (i == nkeys) {
			for (size_t j = 0; j < nkeys; j++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", j ? ", " : "", keys[j].name);
			bad(r, kn, "unknown setting '%s' (known: %s)", full, known);
			continue;
		}
		if (read_value(r, vn, full, &keys[i], base) && keys[i].set_off != NOSET)
			*(bool *)((char *)base + keys[i].set_off) = true;
	}
}

/* ---- sections ---- */

#define KEY(s, n, k, f) { n, k, offsetof(s, f), NOSET, NULL, NULL }
#define KEYSET(s, n, k, f, flag) { n, k, offsetof(s, f), offsetof(s, flag), NULL, NULL }
#define KEYCHOICE(s, n, f, c) { n, K_CHOICE, offsetof(s, f), NOSET, c, NULL }
#define SECTION(s, n, f, fn) { n, K_SECTION, offsetof(s, f), NOSET, NULL, fn }
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const formats[] = { "json", "text", NULL };
static const char *const webhook_formats[] = { "vigil", "falco", NULL };
static const char *const severities[] = { "info", "low", "medium", "high", "critical", NULL };

/* containers: metadata (bool), cgroup_root and the runtime state paths. */
static void read_containers(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct vigil_config *c = (struct vigil_config *)((char *)base -
							 offsetof(struct vigil_config, containers));
	struct container_opts *o = base;

	if (v->type != YAML_MAPPING_NODE) {
		bad(r, v, "'%s' wants a mapping of settings", name);
		return;
	}
	if (!c->containers_set)
		container_opts_default(o);
	c->containers_set = true;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&r->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&r->doc, p->value);
		const char *key = scalar(kn), *val = scalar(vn);
		int err;

		if (!key) {
			bad(r, kn, "%s", "keys must be plain words");
		} else if (!strcmp(key, "metadata")) {
			read_bool(r, vn, key, &o->metadata);
		} else if (!strcmp(key, "cgroup_root")) {
			if (!val || val[0] != '/' || strlen(val) >= sizeof(o->cgroup_root))
				bad(r, vn, "'containers.%s' wants an absolute path", key);
			else
				strcpy(o->cgroup_root, val);
		} else if ((err = val ? runtime_paths_set(&o->paths, key, val) : -EINVAL) == -ENOENT) {
			bad(r, kn, "unknown setting 'containers.%s' (known: metadata, cgroup_root, "
			    "%s)", key, runtime_paths_names);
		} else if (err) {
			bad(r, vn, "'containers.%s' wants an absolute path", key);
		}
	}
}

static const struct key policy_keys[] = {
	KEYSET(struct vigil_config, "default", K_BOOL, policy_default, policy_default_set),
	KEY(struct vigil_config, "files", K_PATHS, policy_files),
	KEY(struct vigil_config, "disabled_rules", K_WORDS, disabled_rules),
};

static void read_policy(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	/* the policy keys live in struct vigil_config itself */
	read_mapping(r, v, name, policy_keys, NKEYS(policy_keys),
		     (char *)base - offsetof(struct vigil_config, policy_default));
}

static const struct key metrics_keys[] = {
	KEY(struct vigil_config, "address", K_STR, metrics_address),
};

static void read_metrics(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	read_mapping(r, v, name, metrics_keys, NKEYS(metrics_keys),
		     (char *)base - offsetof(struct vigil_config, metrics_address));
}

static const struct key webhook_keys[] = {
	KEY(struct config_webhook, "url", K_STR, url),
	KEYCHOICE(struct config_webhook, "format", format, webhook_formats),
	KEY(struct config_webhook, "headers", K_WORDS, headers),
	KEY(struct config_webhook, "ca_file", K_PATH, ca_file),
	KEY(struct config_webhook, "cert_file", K_PATH, cert_file),
	KEY(struct config_webhook, "key_file", K_PATH, key_file),
	KEY(struct config_webhook, "insecure", K_BOOL, insecure),
	KEY(struct config_webhook, "timeout_ms", K_U32, timeout_ms),
};

/* outputs.webhooks: a list of webhook mappings, each with a url. */
static void read_webhooks(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct config_outputs *o = (struct config_outputs *)((char *)base -
							     offsetof(struct config_outputs, webhooks));

	if (v->type != YAML_SEQUENCE_NODE) {
		bad(r, v, "'%s' wants a list of webhooks", name);
		return;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(&r->doc, *i);
		struct config_webhook *w;

		if (o->nwebhooks == NKEYS(o->webhooks)) {
			bad(r, item, "'%s' holds more than %zu webhooks", name, NKEYS(o->webhooks));
			return;
		}
		w = &o->webhooks[o->nwebhooks++];
		read_mapping(r, item, name, webhook_keys, NKEYS(webhook_keys), w);
		if (item->type == YAML_MAPPING_NODE && !w->url)
			bad(r, item, "'%s' items need a url", name);
	}
}

static const struct key output_keys[] = {
	KEYSET(struct config_outputs, "stdout", K_BOOL, stdout_on, stdout_set),
	KEYCHOICE(struct config_outputs, "stdout_format", stdout_format, formats),
	KEY(struct config_outputs, "file", K_PATH, file_path),
	KEYCHOICE(struct config_outputs, "file_format", file_format, formats),
	KEY(struct config_outputs, "file_rotate_bytes", K_U64, file_rotate_bytes),
	KEY(struct config_outputs, "file_keep", K_U32, file_keep),
	KEY(struct config_outputs, "syslog", K_STR, syslog_address),
	KEY(struct config_outputs, "syslog_facility", K_STR, syslog_facility),
	SECTION(struct config_outputs, "webhooks", webhooks, read_webhooks),
	KEY(struct config_outputs, "spool_dir", K_PATH, spool_dir),
	KEY(struct config_outputs, "spool_max_bytes", K_U64, spool_max_bytes),
};

static void read_outputs(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct config_outputs *o = base;

	o->set = true;
	read_mapping(r, v, name, output_keys, NKEYS(output_keys), o);
}

static const struct key recorder_keys[] = {
	KEY(struct config_forensics, "window_s", K_U32, recorder.window_s),
	KEY(struct config_forensics, "max_events", K_U32, recorder.max_events),
	KEY(struct config_forensics, "ring_mb", K_U32, recorder.ring_mb),
	KEY(struct config_forensics, "host_mb", K_U32, recorder.host_mb),
	KEY(struct config_forensics, "total_mb", K_U32, recorder.total_mb),
};

static void read_recorder(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	read_mapping(r, v, name, recorder_keys, NKEYS(recorder_keys),
		     (char *)base - offsetof(struct config_forensics, recorder));
}

static const struct key forensics_keys[] = {
	KEYSET(struct config_forensics, "enabled", K_BOOL, enabled, enabled_set),
	KEY(struct config_forensics, "dir", K_PATH, dir),
	KEYCHOICE(struct config_forensics, "min_severity", min_severity, severities),
	KEY(struct config_forensics, "before_s", K_U32, before_s),
	KEY(struct config_forensics, "after_s", K_U32, after_s),
	KEY(struct config_forensics, "window_s", K_U32, window_s),
	KEY(struct config_forensics, "max_open", K_U32, max_open),
	KEY(struct config_forensics, "max_new_per_min", K_U32, max_new_per_min),
	KEY(struct config_forensics, "capture_file_max_mb", K_U32, capture_file_max_mb),
	KEY(struct config_forensics, "max_incident_mb", K_U32, max_incident_mb),
	KEY(struct config_forensics, "capture_new_execs", K_BOOL, capture_new_execs),
	KEY(struct config_forensics, "more_events", K_BOOL, more_events),
	KEY(struct config_forensics, "max_total_mb", K_U32, max_total_mb),
	KEY(struct config_forensics, "max_age_days", K_U32, max_age_days),
	SECTION(struct config_forensics, "recorder", recorder, read_recorder),
};

static void read_forensics(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct config_forensics *f = base;

	f->set = true;
	read_mapping(r, v, name, forensics_keys, NKEYS(forensics_keys), f);
}

static const struct key top_keys[] = {
	KEYSET(struct vigil_config, "log_level", K_LEVEL, log_level, log_level_set),
	KEY(struct vigil_config, "enforce", K_BOOL, enforce),
	KEY(struct vigil_config, "protected", K_PATHS, protected),
	KEY(struct vigil_config, "actions_per_sec", K_U32, actions_per_sec),
	KEY(struct vigil_config, "pin_dir", K_PATH, pin_dir),
	KEY(struct vigil_config, "events", K_BOOL, events),
	SECTION(struct vigil_config, "policy", policy_default, read_policy),
	SECTION(struct vigil_config, "containers", containers, read_containers),
	SECTION(struct vigil_config, "metrics", metrics_address, read_metrics),
	SECTION(struct vigil_config, "outputs", outputs, read_outputs),
	SECTION(struct vigil_config, "forensics", forensics, read_forensics),
};

int config_load(const char *path, struct vigil_config *c)
{
	struct reader r = { .path = path };
	yaml_parser_t parser;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f) {
		int err = errno;

		fprintf(stderr, "%s: cannot read the configuration: %s\n", path, strerror(err));
		return -err;
	}
	c->path = path;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	ok = yaml_parser_load(&parser, &r.doc);
	if (!ok) {
		fprintf(stderr, "%s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1,
			parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
		r.errors++;
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&r.doc);

		if (root)	/* an empty file is an empty configuration */
			read_mapping(&r, root, "", top_keys, NKEYS(top_keys), c);
		yaml_document_delete(&r.doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (r.errors) {
		log_error("configuration '%s' not loaded: %d problem%s", path, r.errors,
			  r.errors > 1 ? "s" : "");
		return -EINVAL;
	}
	return 0;
}

static void list_free(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

void config_free(struct vigil_config *c)
{
	list_free(&c->protected);
	list_free(&c->policy_files);
	list_free(&c->disabled_rules);
	free(c->pin_dir);
	free(c->metrics_address);
	free(c->outputs.stdout_format);
	free(c->outputs.file_path);
	free(c->outputs.file_format);
	free(c->outputs.syslog_address);
	free(c->outputs.syslog_facility);
	free(c->outputs.spool_dir);
	for (size_t i = 0; i < c->outputs.nwebhooks; i++) {
		struct config_webhook *w = &c->outputs.webhooks[i];

		free(w->url);
		free(w->format);
		list_free(&w->headers);
		free(w->ca_file);
		free(w->cert_file);
		free(w->key_file);
	}
	free(c->forensics.dir);
	free(c->forensics.min_severity);
	memset(c, 0, sizeof(*c));
}
