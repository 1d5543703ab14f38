// SPDX-License-Identifier: GPL-2.0
/* config.c - see config.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "config/config.h"
#include "log.h"

struct reader {
	const char *path;
	yaml_document_t doc;
	int errors;
};

static void bad(struct reader *r, const yaml_node_t *n, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s:%zu:%zu: ", r->path, n->start_mark.line + 1, n->start_mark.column + 1);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	r->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void read_bool(struct reader *r, yaml_node_t *v, const char *key, bool *out)
{
	const char *s = scalar(v);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = false;
	else
		bad(r, v, "'%s' wants true or false", key);
}

static void read_u32(struct reader *r, yaml_node_t *v, const char *key, uint32_t *out)
{
	const char *s = scalar(v);
	char *end;
	unsigned long n;

	errno = 0;
	n = s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || n > UINT32_MAX)
		bad(r, v, "'%s' wants a non-negative number", key);
	else
		*out = n;
}

static void read_paths(struct reader *r, yaml_node_t *v, const char *key, struct vigil_config *c)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		bad(r, v, "'%s' wants a list of paths", key);
		return;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(&r->doc, *i);
		const char *s = scalar(item);

		if (!s || s[0] != '/') {
			bad(r, item, "'%s' items must be absolute paths", key);
			continue;
		}
		if (c->nprotected == CONFIG_PROTECTED_MAX) {
			bad(r, item, "'%s' holds too many paths", key);
			return;
		}
		c->protected[c->nprotected] = strdup(s);
		if (c->protected[c->nprotected])
			c->nprotected++;
	}
	c->protected_set = true;
}

/* containers: metadata (bool), cgroup_root and the runtime state paths. */
static void read_containers(struct reader *r, yaml_node_t *v, struct vigil_config *c)
{
	struct container_opts *o = &c->containers;

	if (v->type != YAML_MAPPING_NODE) {
		bad(r, v, "'%s' wants a mapping of settings", "containers");
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
				bad(r, vn, "'%s' wants an absolute path", key);
			else
				strcpy(o->cgroup_root, val);
		} else if ((err = val ? runtime_paths_set(&o->paths, key, val) : -EINVAL) == -ENOENT) {
			bad(r, kn, "unknown setting 'containers.%s' (known: metadata, cgroup_root, "
			    "host_root, runc, crun, containerd, crio, podman, docker)", key);
		} else if (err) {
			bad(r, vn, "'containers.%s' wants an absolute path", key);
		}
	}
}

static void read_top(struct reader *r, yaml_node_t *root, struct vigil_config *c)
{
	if (!root || root->type != YAML_MAPPING_NODE) {
		if (root)
			bad(r, root, "%s", "the configuration must be a mapping of settings");
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&r->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&r->doc, p->value);
		const char *key = scalar(k);

		if (!key)
			bad(r, k, "%s", "keys must be plain words");
		else if (!strcmp(key, "enforce"))
			read_bool(r, v, key, &c->enforce);
		else if (!strcmp(key, "protected"))
			read_paths(r, v, key, c);
		else if (!strcmp(key, "actions_per_sec"))
			read_u32(r, v, key, &c->actions_per_sec);
		else if (!strcmp(key, "containers"))
			read_containers(r, v, c);
		else
			bad(r, k, "unknown setting '%s' (known: enforce, protected, actions_per_sec, "
			    "containers)", key);
	}
}

int config_load(const char *path, struct vigil_config *c)
{
	struct reader r = { .path = path };
	yaml_parser_t parser;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f) {
		log_error("configuration '%s': %s", path, strerror(errno));
		return -errno;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	ok = yaml_parser_load(&parser, &r.doc);
	if (!ok) {
		fprintf(stderr, "%s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1,
			parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
		r.errors++;
	} else {
		read_top(&r, yaml_document_get_root_node(&r.doc), c);
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

void config_free(struct vigil_config *c)
{
	for (size_t i = 0; i < c->nprotected; i++)
		free(c->protected[i]);
	c->nprotected = 0;
}
