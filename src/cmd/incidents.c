// SPDX-License-Identifier: GPL-2.0
/*
 * incidents.c - `vigil incidents`: list the incident bundles, show one
 * (timeline and process tree, readable or JSON), export one as an archive.
 * The bundle's JSON is read with libyaml (JSON is YAML); a line it cannot
 * read is printed as it is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "cmd/cmd.h"
#include "forensics/archive.h"
#include "forensics/incident.h"
#include "forensics/retention.h"
#include "log.h"
#include "output/json.h"

static void incidents_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil incidents [--dir DIR] [--format text|json]\n"
		"       vigil incidents show ID [--dir DIR] [--format text|json]\n"
		"       vigil incidents export ID [--dir DIR] [-o FILE]\n"
		"\n"
		"List the incident bundles (default directory " INCIDENTS_DIR "), print one\n"
		"incident's alerts, process tree, captures and timeline, or write it as one\n"
		"archive (FILE.tar, or FILE.tar.zst compressed; default ./vigil-incident-ID.tar).\n");
}

/* ---- a parsed JSON document ---- */

struct doc {
	yaml_document_t d;
	bool ok;
};

static bool doc_parse(struct doc *doc, const char *text, size_t len)
{
	yaml_parser_t p;

	doc->ok = false;
	if (!yaml_parser_initialize(&p))
		return false;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	doc->ok = yaml_parser_load(&p, &doc->d) && yaml_document_get_root_node(&doc->d);
	if (!doc->ok)
		yaml_document_delete(&doc->d);
	yaml_parser_delete(&p);
	return doc->ok;
}

static void doc_free(struct doc *doc)
{
	if (doc->ok)
		yaml_document_delete(&doc->d);
	doc->ok = false;
}

static yaml_node_t *root(struct doc *doc)
{
	return yaml_document_get_root_node(&doc->d);
}

/* Member key of a mapping node, NULL when absent. A "a.b" key walks down. */
static yaml_node_t *get(struct doc *doc, yaml_node_t *n, const char *key)
{
	const char *dot = strchr(key, '.');
	size_t len = dot ? (size_t)(dot - key) : strlen(key);

	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc->d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
		    !memcmp(k->data.scalar.value, key, len)) {
			yaml_node_t *v = yaml_document_get_node(&doc->d, p->value);

			return dot ? get(doc, v, dot + 1) : v;
		}
	}
	return NULL;
}

static const char *str(struct doc *doc, yaml_node_t *n, const char *key)
{
	yaml_node_t *v = get(doc, n, key);

	return v && v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
}

static size_t seq_len(yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE ?
	       (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 0;
}

static yaml_node_t *seq_at(struct doc *doc, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&doc->d, n->data.sequence.items.start[i]);
}

/* ---- files ---- */

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	} else {
		*len = strlen(buf);
	}
	fclose(f);
	return buf;
}

static bool load_incident(const char *dir, const char *id, struct doc *doc, char **text)
{
	char path[PATH_MAX];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/incident.json", dir, id);
	*text = read_text(path, &len);
	return *text && doc_parse(doc, *text, len);
}

static uint64_t dir_size(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	uint64_t total = 0;
	char sub[PATH_MAX];
	struct stat st;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub) ||
		    lstat(sub, &st))
			continue;
		total += S_ISDIR(st.st_mode) ? dir_size(sub) : S_ISREG(st.st_mode) ? st.st_size : 0;
	}
	closedir(d);
	return total;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_ids(const struct dirent *de)
{
	return incident_id_valid(de->d_name);
}

/* ---- list ---- */

static void rules_of(struct doc *doc, char *buf, size_t size)
{
	yaml_node_t *alerts = get(doc, root(doc), "alerts");

	buf[0] = '\0';
	for (size_t i = 0; i < seq_len(alerts); i++) {
		const char *id = str(doc, seq_at(doc, alerts, i), "rule.id");

		if (!*id || strstr(buf, id))
			continue;
		if (strlen(buf) + strlen(id) + 2 >= size)
			break;
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, id);
	}
}

static int list_incidents(const char *dir, bool json)
{
	struct dirent **names;
	int n = scandir(dir, &names, only_ids, by_name);

	if (n < 0) {
		log_error("incidents: cannot read '%s': %s", dir, strerror(errno));
		return 1;
	}
	if (!json)
		printf("%-26s %-24s %-6s %-10s %-24s %s\n", "ID", "FIRST ALERT", "STATE", "SIZE",
		       "CONTAINER", "RULES");
	for (int i = 0; i < n; i++) {
		const char *id = names[i]->d_name;
		struct doc doc = {};
		char *text = NULL, rules[256] = "", sub[PATH_MAX];
		bool ok = load_incident(dir, id, &doc, &text);
		uint64_t size;

		snprintf(sub, sizeof(sub), "%s/%s", dir, id);
		size = dir_size(sub);
		if (ok)
			rules_of(&doc, rules, sizeof(rules));
		if (json) {
			struct json j;

			json_init(&j);
			json_obj_begin(&j);
			json_kv_str(&j, "id", id);
			json_kv_str(&j, "first_alert", ok ? str(&doc, root(&doc), "first_alert") : "");
			json_kv_str(&j, "state", ok ? str(&doc, root(&doc), "state") : "unreadable");
			json_kv_u64(&j, "bytes", size);
			json_kv_str(&j, "container", ok ? str(&doc, root(&doc), "container.id") : "");
			json_kv_str(&j, "rules", rules);
			json_obj_end(&j);
			printf("%s\n", j.buf ? j.buf : "{}");
			json_free(&j);
		}
		else
			printf("%-26s %-24.24s %-6s %-10llu %-24.24s %s\n", id,
			       ok ? str(&doc, root(&doc), "first_alert") : "?",
			       ok ? str(&doc, root(&doc), "state") : "?", (unsigned long long)size,
			       ok ? str(&doc, root(&doc), "container.id") : "?", rules);
		doc_free(&doc);
		free(text);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- show ---- */

static void print_tree(struct doc *doc, yaml_node_t *procs, const char *ppid, int depth,
		       unsigned char *done)
{
	for (size_t i = 0; i < seq_len(procs) && depth < 32; i++) {
		yaml_node_t *p = seq_at(doc, procs, i);

		if (done[i] || strcmp(str(doc, p, "ppid"), ppid))
			continue;
		done[i] = 1;
		printf("  %*s%s [%s] uid %s  %s", depth * 2, "", str(doc, p, "pid"),
		       str(doc, p, "comm"), str(doc, p, "uid"), str(doc, p, "exe"));
		if (*str(doc, p, "args"))
			printf("  (%s)", str(doc, p, "args"));
		if (*str(doc, p, "cwd"))
			printf("  cwd %s", str(doc, p, "cwd"));
		printf("  started %s%s\n", str(doc, p, "start_time"),
		       !strcmp(str(doc, p, "exited"), "true") ? "  exited" : "");
		print_tree(doc, procs, str(doc, p, "pid"), depth + 1, done);
	}
}

static void show_tree(struct doc *doc)
{
	yaml_node_t *procs = get(doc, root(doc), "processes");
	size_t n = seq_len(procs);
	unsigned char *done = calloc(n + 1, 1);

	printf("\nprocess tree:\n");
	for (size_t i = 0; done && i < n; i++) {
		yaml_node_t *p = seq_at(doc, procs, i);
		bool has_parent = false;

		for (size_t k = 0; k < n && !has_parent; k++)
			has_parent = k != i && !strcmp(str(doc, seq_at(doc, procs, k), "pid"),
						       str(doc, p, "ppid"));
		if (!has_parent && !done[i])	/* a root: its parent is not in the bundle */
			print_tree(doc, procs, str(doc, p, "ppid"), 0, done);
	}
	free(done);
}

/* One timeline event as a line: time, type, pid, comm, what it was about. */
static void show_event(const char *line, size_t len)
{
	struct doc ev = {};
	yaml_node_t *r;
	const char *type;

	if (!doc_parse(&ev, line, len)) {
		printf("  %.*s\n", (int)len, line);
		return;
	}
	r = root(&ev);
	type = str(&ev, r, "type");
	printf("  %s %-12s %7s %-15s", str(&ev, r, "time"), type, str(&ev, r, "proc.pid"),
	       str(&ev, r, "proc.comm"));
	if (!strcmp(type, "exec"))
		printf(" %s", str(&ev, r, "exec.path"));
	else if (*str(&ev, r, "file.path"))
		printf(" %s %s", str(&ev, r, "file.path"), str(&ev, r, "file.path2"));
	else if (*str(&ev, r, "net.daddr"))
		printf(" %s:%s -> %s:%s", str(&ev, r, "net.saddr"), str(&ev, r, "net.sport"),
		       str(&ev, r, "net.daddr"), str(&ev, r, "net.dport"));
	else if (*str(&ev, r, "net.saddr"))
		printf(" %s:%s", str(&ev, r, "net.saddr"), str(&ev, r, "net.sport"));
	else if (*str(&ev, r, "mem.name"))
		printf(" memfd %s", str(&ev, r, "mem.name"));
	if (*str(&ev, r, "error"))
		printf(" [%s]", str(&ev, r, "error"));
	printf("\n");
	doc_free(&ev);
}

static void for_each_line(const char *path, void (*fn)(const char *, size_t, void *), void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n)
			fn(line, n, ctx);
	}
	free(line);
	fclose(f);
}

static void event_line(const char *line, size_t len, void *ctx)
{
	show_event(line, len);
}

static void json_line(const char *line, size_t len, void *ctx)
{
	bool *first = ctx;

	printf("%s%.*s", *first ? "" : ",", (int)len, line);
	*first = false;
}

static void show_alerts_and_captures(struct doc *doc)
{
	yaml_node_t *r = root(doc), *alerts = get(doc, r, "alerts"), *caps = get(doc, r, "captures");

	printf("\nalerts:\n");
	for (size_t i = 0; i < seq_len(alerts); i++) {
		yaml_node_t *a = seq_at(doc, alerts, i);

		printf("  %s %-8s %s %s [%s]\n", str(doc, a, "time"), str(doc, a, "rule.severity"),
		       str(doc, a, "rule.id"), str(doc, a, "message"), str(doc, a, "action"));
	}
	printf("\ncaptures:\n");
	for (size_t i = 0; i < seq_len(caps); i++) {
		yaml_node_t *c = seq_at(doc, caps, i);

		printf("  %-8s %-12s %s  %s bytes  %s  by pid %s uid %s\n", str(doc, c, "kind"),
		       str(doc, c, "status"), *str(doc, c, "sha256") ? str(doc, c, "sha256") : "-",
		       str(doc, c, "size"), str(doc, c, "path"), str(doc, c, "by.pid"),
		       str(doc, c, "by.uid"));
	}
}

static int show_incident(const char *dir, const char *id, bool json)
{
	struct doc doc = {};
	char *text = NULL, path[PATH_MAX];
	bool first = true;
	int rc = 0;

	if (!incident_id_valid(id)) {
		log_error("incidents: '%s' is not an incident id", id);
		return 2;
	}
	if (!load_incident(dir, id, &doc, &text) && !text) {
		log_error("incidents: cannot read '%s/%s/incident.json': %s", dir, id, strerror(errno));
		return 1;
	}
	if (json) {
		printf("{\"incident\":%s,\"timeline\":[", text);
		snprintf(path, sizeof(path), "%s/%s/timeline.jsonl", dir, id);
		for_each_line(path, json_line, &first);
		printf("],\"network\":[");
		first = true;
		snprintf(path, sizeof(path), "%s/%s/network.jsonl", dir, id);
		for_each_line(path, json_line, &first);
		printf("]}\n");
		goto out;
	}
	if (!doc.ok) {
		printf("%s", text);	/* unreadable as a document: as it is */
		rc = 1;
		goto out;
	}
	printf("incident %s (%s)\n  first alert %s, last alert %s\n  %s %s %s\n", id,
	       str(&doc, root(&doc), "state"), str(&doc, root(&doc), "first_alert"),
	       str(&doc, root(&doc), "last_alert"), str(&doc, root(&doc), "scope"),
	       str(&doc, root(&doc), "container.id"), str(&doc, root(&doc), "container.name"));
	show_alerts_and_captures(&doc);
	show_tree(&doc);
	printf("\ntimeline:\n");
	snprintf(path, sizeof(path), "%s/%s/timeline.jsonl", dir, id);
	for_each_line(path, event_line, NULL);
out:
	doc_free(&doc);
	free(text);
	return rc;
}

/* ---- export ---- */

static int export_incident(const char *dir, const char *id, const char *out)
{
	char def[128];
	size_t len;
	int err;

	if (!incident_id_valid(id)) {
		log_error("incidents: '%s' is not an incident id", id);
		return 2;
	}
	if (!out) {
		snprintf(def, sizeof(def), "vigil-incident-%s.tar", id);
		out = def;
	}
	len = strlen(out);
	err = archive_incident(dir, id, out, len > 4 && !strcmp(out + len - 4, ".zst"));
	if (err) {
		log_error("incidents: cannot export '%s/%s' to '%s': %s", dir, id, out, strerror(-err));
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int cmd_incidents(int argc, char **argv)
{
	const char *dir = INCIDENTS_DIR, *verb = NULL, *id = NULL, *out = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if ((!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) && i + 1 < argc) {
			json = !strcmp(argv[++i], "json");
			if (!json && strcmp(argv[i], "text")) {
				log_error("incidents: unknown format '%s' (text or json)", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			incidents_usage(stdout);
			return 0;
		} else if (!verb && (!strcmp(argv[i], "show") || !strcmp(argv[i], "export") ||
				     !strcmp(argv[i], "list"))) {
			verb = argv[i];
		} else if (verb && strcmp(verb, "list") && !id && argv[i][0] != '-') {
			id = argv[i];
		} else {
			log_error("incidents: unexpected argument '%s'", argv[i]);
			incidents_usage(stderr);
			return 2;
		}
	}
	if (!verb || !strcmp(verb, "list"))
		return list_incidents(dir, json);
	if (!id) {
		log_error("incidents: %s needs an incident id", verb);
		return 2;
	}
	return !strcmp(verb, "show") ? show_incident(dir, id, json) : export_incident(dir, id, out);
}
