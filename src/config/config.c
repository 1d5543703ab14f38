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
static const char *const priorities[] = { "normal", "high", "realtime", NULL };
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

static const char *const colors[] = { "auto", "always", "never", NULL };

/* webhook.headers: a mapping of header names to values. */
static void read_headers(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct config_list *l = base;

	if (v->type != YAML_MAPPING_NODE) {
		bad(r, v, "'%s' wants a mapping of header names to values", name);
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&r->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&r->doc, p->value);
		const char *k = scalar(kn), *val = scalar(vn);

		if (!k || !*k || strpbrk(k, ": \r\n") || !val || strpbrk(val, "\r\n")) {
			bad(r, kn, "'%s' wants 'Name: value' pairs on one line", name);
			continue;
		}
		if (l->n == CONFIG_LIST_MAX) {
			bad(r, kn, "'%s' holds more than %d headers", name, CONFIG_LIST_MAX);
			return;
		}
		if (asprintf(&l->v[l->n], "%s: %s", k, val) > 0)
			l->n++;
	}
	l->set = true;
}

#define O struct config_outputs
static const struct key stdout_keys[] = {
	KEYSET(O, "enabled", K_BOOL, out.enabled, out.enabled_set),
	KEYCHOICE(O, "format", out.format, formats),
	KEYCHOICE(O, "color", out.color, colors),
};
static const struct key file_keys[] = {
	KEY(O, "path", K_PATH, file.path),
	KEYCHOICE(O, "format", file.format, formats),
	KEY(O, "rotate_bytes", K_U64, file.rotate_bytes),
	KEYSET(O, "keep", K_U32, file.keep, file.keep_set),
};
static const struct key syslog_keys[] = {
	KEY(O, "address", K_STR, syslog.address),
	KEY(O, "facility", K_STR, syslog.facility),
	KEYCHOICE(O, "format", syslog.format, formats),
	KEY(O, "app_name", K_STR, syslog.app_name),
	KEY(O, "timeout_ms", K_U32, syslog.timeout_ms),
};
static const struct key webhook_keys[] = {
	KEY(O, "url", K_STR, webhook.url),
	KEYCHOICE(O, "format", webhook.format, webhook_formats),
	SECTION(O, "headers", webhook.headers, read_headers),
	KEY(O, "ca_file", K_PATH, webhook.ca_file),
	KEY(O, "cert_file", K_PATH, webhook.cert_file),
	KEY(O, "key_file", K_PATH, webhook.key_file),
	KEY(O, "insecure", K_BOOL, webhook.insecure),
	KEY(O, "timeout_ms", K_U32, webhook.timeout_ms),
	KEY(O, "connect_timeout_ms", K_U32, webhook.connect_timeout_ms),
};
static const struct key spool_keys[] = {
	KEY(O, "dir", K_PATH, spool_dir),
	KEY(O, "max_bytes", K_U64, spool_max_bytes),
};

/* A sub-section of outputs: the keys address struct config_outputs. */
#define OUTPUT_SECTION(fn, keys, first)						\
	static void fn(struct reader *r, yaml_node_t *v, void *base, const char *name)	\
	{									\
		read_mapping(r, v, name, keys, NKEYS(keys),			\
			     (char *)base - offsetof(O, first));		\
	}
OUTPUT_SECTION(read_stdout, stdout_keys, out)
OUTPUT_SECTION(read_file, file_keys, file)
OUTPUT_SECTION(read_syslog, syslog_keys, syslog)
OUTPUT_SECTION(read_webhook, webhook_keys, webhook)
OUTPUT_SECTION(read_spool, spool_keys, spool_dir)

static const struct key output_keys[] = {
	SECTION(O, "stdout", out, read_stdout),
	SECTION(O, "file", file, read_file),
	SECTION(O, "syslog", syslog, read_syslog),
	SECTION(O, "webhook", webhook, read_webhook),
	KEY(O, "queue_len", K_U32, queue_len),
	KEY(O, "close_timeout_ms", K_U32, close_timeout_ms),
	KEY(O, "retry_min_ms", K_U32, retry_min_ms),
	KEY(O, "retry_max_ms", K_U32, retry_max_ms),
	SECTION(O, "spool", spool_dir, read_spool),
};
#undef O

static void read_outputs(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	struct config_outputs *o = base;

	o->set = true;
	read_mapping(r, v, name, output_keys, NKEYS(output_keys), o);
	if (o->syslog.address && !o->syslog.address[0])
		bad(r, v, "'%s.syslog.address' is empty", name);
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

static const struct key scan_keys[] = {
	KEYSET(struct vigil_config, "interval_s", K_U32, scan_interval_s, scan_interval_set),
	KEYSET(struct vigil_config, "at_start", K_BOOL, scan_at_start, scan_at_start_set),
};

static void read_scan(struct reader *r, yaml_node_t *v, void *base, const char *name)
{
	read_mapping(r, v, name, scan_keys, NKEYS(scan_keys),
		     (char *)base - offsetof(struct vigil_config, scan_interval_s));
}

static const struct key top_keys[] = {
	KEYSET(struct vigil_config, "log_level", K_LEVEL, log_level, log_level_set),
	KEY(struct vigil_config, "enforce", K_BOOL, enforce),
	KEY(struct vigil_config, "protected", K_PATHS, protected),
	KEY(struct vigil_config, "actions_per_sec", K_U32, actions_per_sec),
	KEY(struct vigil_config, "pin_dir", K_PATH, pin_dir),
	KEY(struct vigil_config, "events", K_BOOL, events),
	KEY(struct vigil_config, "syscall_fallback", K_BOOL, syscall_fallback),
	KEYCHOICE(struct vigil_config, "event_loop_priority", event_loop_priority, priorities),
	SECTION(struct vigil_config, "policy", policy_default, read_policy),
	SECTION(struct vigil_config, "containers", containers, read_containers),
	SECTION(struct vigil_config, "metrics", metrics_address, read_metrics),
	SECTION(struct vigil_config, "outputs", outputs, read_outputs),
	SECTION(struct vigil_config, "forensics", forensics, read_forensics),
	SECTION(struct vigil_config, "scan", scan_interval_s, read_scan),
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
	free(c->outputs.out.format);
	free(c->outputs.out.color);
	free(c->outputs.file.path);
	free(c->outputs.file.format);
	free(c->outputs.syslog.address);
	free(c->outputs.syslog.facility);
	free(c->outputs.syslog.format);
	free(c->outputs.syslog.app_name);
	free(c->outputs.webhook.url);
	free(c->outputs.webhook.format);
	list_free(&c->outputs.webhook.headers);
	free(c->outputs.webhook.ca_file);
	free(c->outputs.webhook.cert_file);
	free(c->outputs.webhook.key_file);
	free(c->outputs.spool_dir);
	free(c->forensics.dir);
	free(c->forensics.min_severity);
	memset(c, 0, sizeof(*c));
}
