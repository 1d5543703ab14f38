// SPDX-License-Identifier: GPL-2.0
/*
 * runtime_meta.c - see runtime_meta.h. Three parts: the runtimes' state
 * layouts (which file says what), a small reader of those JSON files on top
 * of libyaml (JSON is YAML once tabs are spaces), and the resolver thread.
 *
 * Where each runtime keeps what (all on the host, all written before the
 * container's first process runs):
 *  - runc: <runc>/<id>/state.json; config.labels holds the bundle's
 *    annotations as "key=value" strings, and "bundle=<path>".
 *  - crun: <crun>/<id>/status names the bundle; its config.json has the
 *    annotations.
 *  - containerd (CRI and docker's "moby" namespace): the bundle is the task
 *    directory <containerd>/io.containerd.runtime.v2.task/<ns>/<id>/, its
 *    config.json carries io.kubernetes.cri.* annotations (sandbox-name,
 *    sandbox-namespace, sandbox-uid, container-name, image-name,
 *    container-type). Pod labels live in containerd's database only.
 *  - CRI-O: <crio>/overlay-containers/<id>/userdata/config.json, with
 *    io.kubernetes.cri-o.* annotations: ImageName, ContainerType, SandboxID,
 *    Labels (a JSON object: the kubelet's io.kubernetes.pod.name, ... for a
 *    container, the pod's labels for its sandbox).
 *  - podman: containers/storage's <podman>/overlay-containers/containers.json
 *    lists each container's names and a metadata JSON string (image-name).
 *  - docker: <docker>/containers/<id>/config.v2.json: Name ("/web"),
 *    Config.Image, Config.Labels.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "enrich/runtime_meta.h"
#include "log.h"

/* containers.json of a busy podman host runs to megabytes; a spec to tens of KB */
#define META_FILE_MAX		(16u << 20)

/* ---- paths ---- */

static const struct {
	const char *name;
	size_t off;
	const char *def;
} path_fields[] = {
	{ "host_root", offsetof(struct runtime_paths, host_root), "" },
	{ "runc", offsetof(struct runtime_paths, runc), "/run/runc" },
	{ "crun", offsetof(struct runtime_paths, crun), "/run/crun" },
	{ "containerd", offsetof(struct runtime_paths, containerd), "/run/containerd" },
	{ "crio", offsetof(struct runtime_paths, crio), "/run/containers/storage" },
	{ "podman", offsetof(struct runtime_paths, podman), "/var/lib/containers/storage" },
	{ "docker", offsetof(struct runtime_paths, docker), "/var/lib/docker" },
};

const char runtime_paths_names[] = "host_root, runc, crun, containerd, crio, podman, docker";

void runtime_paths_default(struct runtime_paths *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < sizeof(path_fields) / sizeof(path_fields[0]); i++)
		strcpy((char *)p + path_fields[i].off, path_fields[i].def);
}

void container_opts_default(struct container_opts *o)
{
	memset(o, 0, sizeof(*o));
	runtime_paths_default(&o->paths);
	o->metadata = true;
}

int runtime_paths_set(struct runtime_paths *p, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof(path_fields) / sizeof(path_fields[0]); i++) {
		char *dst = (char *)p + path_fields[i].off;
		size_t n = strlen(value);

		if (strcmp(name, path_fields[i].name))
			continue;
		if (value[0] != '/')
			return -EINVAL;
		if (n >= RUNTIME_PATH_LEN)
			return -ENAMETOOLONG;
		/* host_root "/" is no prefix; trailing slashes would double up */
		while (n > 1 && value[n - 1] == '/')
			n--;
		if (!strcmp(name, "host_root") && n == 1)
			n = 0;
		memcpy(dst, value, n);
		dst[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

int runtime_paths_host(const struct runtime_paths *p, const char *path, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s%s", p->host_root, path) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* host_root + dir + the formatted rest. 0 or -ENAMETOOLONG. */
static int state_path(const struct runtime_paths *p, const char *dir, char *out, size_t size,
		      const char *fmt, const char *a, const char *b)
{
	char rest[PATH_MAX];

	if ((size_t)snprintf(rest, sizeof(rest), fmt, a, b) >= sizeof(rest) ||
	    (size_t)snprintf(out, size, "%s%s%s", p->host_root, dir, rest) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- JSON through libyaml ---- */

/*
 * Parse JSON text (modified in place: every tab and CR becomes a space,
 * which in valid JSON only ever appear as whitespace, while YAML refuses
 * tabs). 0 or -EINVAL.
 */
static int json_parse(char *text, size_t len, yaml_document_t *doc)
{
	yaml_parser_t parser;
	int ok;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\t' || text[i] == '\r')
			text[i] = ' ';
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	ok = yaml_parser_load(&parser, doc);
	yaml_parser_delete(&parser);
	if (!ok)
		return -EINVAL;
	if (!yaml_document_get_root_node(doc)) {
		yaml_document_delete(doc);
		return -EINVAL;
	}
	return 0;
}

/* Load the JSON file at path. 0, -errno (-ENOENT: no such file), -EINVAL, -EFBIG. */
static int json_load(const char *path, yaml_document_t *doc)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int err;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st)) {
		err = -errno;
	} else if (st.st_size > META_FILE_MAX) {
		err = -EFBIG;
	} else if (!(buf = malloc(st.st_size + 1))) {
		err = -ENOMEM;
	} else {
		n = fread(buf, 1, st.st_size, f);
		err = ferror(f) ? -EIO : json_parse(buf, n, doc);
	}
	free(buf);
	fclose(f);
	if (err && err != -ENOENT)
		log_warn("container metadata: cannot read '%s': %s", path,
			 err == -EINVAL ? "not JSON" : strerror(-err));
	return err;
}

static yaml_node_t *jget(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, pr->value);
	}
	return NULL;
}

static const char *jstr(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *jroot(yaml_document_t *doc)
{
	return yaml_document_get_root_node(doc);
}

/* ---- key/value sets: annotations, labels ---- */

#define KV_MAX 512

/* Borrowed strings: they live in a yaml document or a caller's buffer. */
struct kv_list {
	const char *k[KV_MAX];
	const char *v[KV_MAX];
	size_t n;
};

static void kv_add(struct kv_list *kv, const char *k, const char *v)
{
	if (k && v && kv->n < KV_MAX) {
		kv->k[kv->n] = k;
		kv->v[kv->n] = v;
		kv->n++;
	}
}

/* The string members of a JSON object. */
static void kv_from_map(struct kv_list *kv, yaml_document_t *doc, yaml_node_t *map)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++)
		kv_add(kv, jstr(yaml_document_get_node(doc, pr->key)),
		       jstr(yaml_document_get_node(doc, pr->value)));
}

static const char *kv_get(const struct kv_list *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], key))
			return kv->v[i];
	return NULL;
}

/* The first of keys kv has with a non-empty value, or NULL. */
static const char *kv_first(const struct kv_list *kv, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *v = kv_get(kv, *keys);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* Copy v into an empty field: the first source that knows a field wins. */
static void take(char *dst, size_t size, const char *v)
{
	if (dst[0] || !v)
		return;
	snprintf(dst, size, "%s", v);
}

void container_meta_add_label(struct container_meta *m, const char *key, const char *value)
{
	size_t used = strlen(m->labels);
	size_t need = strlen(key) + 1 + strlen(value) + (used ? 1 : 0);

	if (!*key || strpbrk(key, ":,") || strchr(value, ',') ||
	    used + need >= sizeof(m->labels))
		return;
	snprintf(m->labels + used, sizeof(m->labels) - used, "%s%s:%s", used ? "," : "", key,
		 value);
}

/* Labels the kubelet sets on every container: they say who, they are not pod labels. */
static bool is_kubelet_label(const char *key)
{
	return !strncmp(key, "io.kubernetes.", 14);
}

static const char *const keys_name[] = {
	"io.kubernetes.cri.container-name", "io.kubernetes.container.name", NULL };
static const char *const keys_pod[] = {
	"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name", NULL };
static const char *const keys_ns[] = {
	"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace", NULL };
static const char *const keys_uid[] = {
	"io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid", NULL };
static const char *const keys_image[] = {
	"io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName",
	"io.kubernetes.cri-o.Image", NULL };
static const char *const keys_type[] = {
	"io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType", NULL };

/* Who the container is, from a set naming it the Kubernetes way. */
static void meta_from_kv(struct container_meta *m, const struct kv_list *kv)
{
	const char *type = kv_first(kv, keys_type);

	take(m->name, sizeof(m->name), kv_first(kv, keys_name));
	take(m->pod_name, sizeof(m->pod_name), kv_first(kv, keys_pod));
	take(m->pod_namespace, sizeof(m->pod_namespace), kv_first(kv, keys_ns));
	take(m->pod_uid, sizeof(m->pod_uid), kv_first(kv, keys_uid));
	take(m->image, sizeof(m->image), kv_first(kv, keys_image));
	if (type && !strcmp(type, "sandbox"))
		m->sandbox = true;
}

static void labels_from_kv(struct container_meta *m, const struct kv_list *kv)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!is_kubelet_label(kv->k[i]))
			container_meta_add_label(m, kv->k[i], kv->v[i]);
}

/*
 * CRI-O's Labels annotation: a JSON object in a string. Who the container is
 * comes from the kubelet's labels in it; with_labels also takes the rest
 * (the pod's labels, in a sandbox's config).
 */
static void meta_from_crio_labels(struct container_meta *m, const char *json, bool with_labels)
{
	yaml_document_t doc;
	struct kv_list *kv;
	char *copy;

	if (!json || !(copy = strdup(json)))
		return;
	if (!json_parse(copy, strlen(copy), &doc)) {
		kv = calloc(1, sizeof(*kv));
		if (kv) {
			kv_from_map(kv, &doc, jroot(&doc));
			meta_from_kv(m, kv);
			if (with_labels)
				labels_from_kv(m, kv);
			free(kv);
		}
		yaml_document_delete(&doc);
	}
	free(copy);
}

/* ---- per runtime ---- */

/*
 * An OCI config.json: its annotations. For CRI-O, also the pod's labels
 * from its sandbox's config. 0, -ENOENT, -EINVAL.
 */
static int read_oci_config(const struct runtime_paths *p, const char *path,
			   struct container_meta *m, struct kv_list *kv, bool crio);

static int read_crio_sandbox_labels(const struct runtime_paths *p, const char *sandbox_id,
				    struct container_meta *m)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *ann;

	if (!sandbox_id || !*sandbox_id || strchr(sandbox_id, '/') ||
	    state_path(p, p->crio, path, sizeof(path), "/overlay-containers/%s%s/userdata/config.json",
		       sandbox_id, ""))
		return -ENOENT;
	if (json_load(path, &doc))
		return -ENOENT;
	ann = jget(&doc, jroot(&doc), "annotations");
	meta_from_crio_labels(m, jstr(jget(&doc, ann, "io.kubernetes.cri-o.Labels")), true);
	yaml_document_delete(&doc);
	return 0;
}

static int read_oci_config(const struct runtime_paths *p, const char *path,
			   struct container_meta *m, struct kv_list *kv, bool crio)
{
	yaml_document_t doc;
	const char *sandbox = NULL, *own = NULL;
	char sandbox_id[CONTAINER_ID_LEN + 1] = "";
	int err = json_load(path, &doc);

	if (err)
		return err == -ENOENT ? -ENOENT : -EINVAL;
	kv->n = 0;
	kv_from_map(kv, &doc, jget(&doc, jroot(&doc), "annotations"));
	meta_from_kv(m, kv);
	if (crio) {
		const char *mgr = kv_get(kv, "io.container.manager");

		meta_from_crio_labels(m, kv_get(kv, "io.kubernetes.cri-o.Labels"), false);
		if (mgr && !strcmp(mgr, "libpod"))
			m->runtime = CRT_PODMAN;
		sandbox = kv_get(kv, "io.kubernetes.cri-o.SandboxID");
		own = kv_get(kv, "io.kubernetes.cri-o.ContainerID");
		if (sandbox)
			snprintf(sandbox_id, sizeof(sandbox_id), "%s", sandbox);
	}
	yaml_document_delete(&doc);
	kv->n = 0;	/* its strings were the document's */
	/* a sandbox's own Labels are the pod's: read above only for containers */
	if (sandbox_id[0] && !m->sandbox && (!own || strcmp(own, sandbox_id)))
		read_crio_sandbox_labels(p, sandbox_id, m);
	return 0;
}

static int read_docker(const struct runtime_paths *p, const char *id, struct container_meta *m,
		       struct kv_list *kv);

static int read_containerd(const struct runtime_paths *p, const char *id,
			   struct container_meta *m, struct kv_list *kv)
{
	static const char *const preferred[] = { "k8s.io", "moby", "default", NULL };
	char path[PATH_MAX], tasks[PATH_MAX];
	struct dirent *de;
	DIR *d;

	for (int i = 0; preferred[i]; i++) {
		if (state_path(p, p->containerd, path, sizeof(path),
			       "/io.containerd.runtime.v2.task/%s/%s/config.json", preferred[i], id))
			return -ENOENT;
		int err = read_oci_config(p, path, m, kv, false);

		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		/* docker's own tasks: docker's state has the names */
		if (!strcmp(preferred[i], "moby") && !read_docker(p, id, m, kv))
			m->runtime = CRT_DOCKER;
		return 0;
	}
	/* namespaces of other clients (nerdctl, buildkit, ...) */
	if (state_path(p, p->containerd, tasks, sizeof(tasks), "/io.containerd.runtime.v2.task%s%s",
		       "", "") || !(d = opendir(tasks)))
		return -ENOENT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s/%s/config.json", tasks, de->d_name,
				     id) >= sizeof(path))
			continue;
		int err = read_oci_config(p, path, m, kv, false);

		if (err != -ENOENT) {
			closedir(d);
			return err;
		}
	}
	closedir(d);
	return -ENOENT;
}

static int read_crio(const struct runtime_paths *p, const char *id, struct container_meta *m,
		     struct kv_list *kv)
{
	char path[PATH_MAX];

	if (state_path(p, p->crio, path, sizeof(path), "/overlay-containers/%s%s/userdata/config.json",
		       id, ""))
		return -ENOENT;
	return read_oci_config(p, path, m, kv, true);
}

/* podman: the name and image from containers/storage's list of containers. */
static int read_podman(const struct runtime_paths *p, const char *id, struct container_meta *m)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *root;
	int err = -ENOENT;

	if (state_path(p, p->podman, path, sizeof(path), "/overlay-containers/containers.json%s%s",
		       "", "") || json_load(path, &doc))
		return -ENOENT;
	root = jroot(&doc);
	for (yaml_node_item_t *it = root->type == YAML_SEQUENCE_NODE ?
		     root->data.sequence.items.start : NULL;
	     it && it < root->data.sequence.items.top; it++) {
		yaml_node_t *c = yaml_document_get_node(&doc, *it);
		yaml_node_t *names = jget(&doc, c, "names");
		const char *cid = jstr(jget(&doc, c, "id"));
		const char *md = jstr(jget(&doc, c, "metadata"));
		yaml_document_t mdoc;
		char *copy;

		if (!cid || strcmp(cid, id))
			continue;
		if (names && names->type == YAML_SEQUENCE_NODE &&
		    names->data.sequence.items.top > names->data.sequence.items.start)
			take(m->name, sizeof(m->name),
			     jstr(yaml_document_get_node(&doc, *names->data.sequence.items.start)));
		if (md && (copy = strdup(md))) {
			if (!json_parse(copy, strlen(copy), &mdoc)) {
				take(m->image, sizeof(m->image),
				     jstr(jget(&mdoc, jroot(&mdoc), "image-name")));
				take(m->name, sizeof(m->name), jstr(jget(&mdoc, jroot(&mdoc), "name")));
				yaml_document_delete(&mdoc);
			}
			free(copy);
		}
		err = 0;
		break;
	}
	yaml_document_delete(&doc);
	return err;
}

static int read_docker(const struct runtime_paths *p, const char *id, struct container_meta *m,
		       struct kv_list *kv)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *cfg;
	const char *name;

	if (state_path(p, p->docker, path, sizeof(path), "/containers/%s%s/config.v2.json", id, ""))
		return -ENOENT;
	if (json_load(path, &doc))
		return -ENOENT;
	cfg = jget(&doc, jroot(&doc), "Config");
	name = jstr(jget(&doc, jroot(&doc), "Name"));
	kv->n = 0;
	kv_from_map(kv, &doc, jget(&doc, cfg, "Labels"));
	meta_from_kv(m, kv);	/* Kubernetes through dockershim names pods in labels */
	labels_from_kv(m, kv);
	take(m->name, sizeof(m->name), name && name[0] == '/' ? name + 1 : name);
	take(m->image, sizeof(m->image), jstr(jget(&doc, cfg, "Image")));
	yaml_document_delete(&doc);
	kv->n = 0;
	return 0;
}

/* runc: the annotations are in the state's config.labels as "key=value". */
static int read_runc(const struct runtime_paths *p, const char *id, struct container_meta *m,
		     struct kv_list *kv)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *labels;
	char *buf = NULL;
	size_t used = 0, cap = 0;

	if (state_path(p, p->runc, path, sizeof(path), "/%s%s/state.json", id, ""))
		return -ENOENT;
	if (json_load(path, &doc))
		return -ENOENT;
	labels = jget(&doc, jget(&doc, jroot(&doc), "config"), "labels");
	if (labels && labels->type == YAML_SEQUENCE_NODE) {
		/* one buffer for every split copy: kv points into it */
		for (yaml_node_item_t *it = labels->data.sequence.items.start;
		     it < labels->data.sequence.items.top; it++) {
			const char *s = jstr(yaml_document_get_node(&doc, *it));

			cap += s ? strlen(s) + 1 : 0;
		}
		buf = malloc(cap + 1);
	}
	kv->n = 0;
	for (yaml_node_item_t *it = buf ? labels->data.sequence.items.start : NULL;
	     it && it < labels->data.sequence.items.top; it++) {
		const char *s = jstr(yaml_document_get_node(&doc, *it));
		char *copy, *eq;

		if (!s)
			continue;
		copy = strcpy(buf + used, s);
		used += strlen(s) + 1;
		eq = strchr(copy, '=');
		if (eq) {
			*eq = '\0';
			kv_add(kv, copy, eq + 1);
		}
	}
	meta_from_kv(m, kv);
	kv->n = 0;
	free(buf);
	yaml_document_delete(&doc);
	return 0;
}

/* crun: its status names the bundle, whose config.json has the annotations. */
static int read_crun(const struct runtime_paths *p, const char *id, struct container_meta *m,
		     struct kv_list *kv)
{
	char path[PATH_MAX], config[PATH_MAX];
	yaml_document_t doc;
	const char *bundle;
	int err = -ENOENT;

	if (state_path(p, p->crun, path, sizeof(path), "/%s%s/status", id, ""))
		return -ENOENT;
	if (json_load(path, &doc))
		return -ENOENT;
	bundle = jstr(jget(&doc, jroot(&doc), "bundle"));
	if (bundle && bundle[0] == '/' &&
	    !state_path(p, "", config, sizeof(config), "%s/config.json%s", bundle, ""))
		err = read_oci_config(p, config, m, kv, false);
	yaml_document_delete(&doc);
	return err == -ENOENT ? 0 : err;	/* crun knows it, even without annotations */
}

typedef int (*reader_fn)(const struct runtime_paths *, const char *, struct container_meta *,
			 struct kv_list *);

static int read_podman_kv(const struct runtime_paths *p, const char *id,
			  struct container_meta *m, struct kv_list *kv)
{
	int err = read_podman(p, id, m);

	/* its OCI config shares CRI-O's run root; names come from the list above */
	if (!read_crio(p, id, m, kv) || !err)
		return 0;
	return -ENOENT;
}

/* Readers to try for a runtime, in order, and the runtime each stands for. */
struct reader {
	reader_fn fn;
	enum container_runtime runtime;
};

static size_t readers_for(enum container_runtime rt, struct reader *out)
{
	size_t n = 0;

	switch (rt) {
	case CRT_CONTAINERD:
		out[n++] = (struct reader){ read_containerd, CRT_CONTAINERD };
		/* a bare id under kubepods is containerd's or cri-dockerd's */
		out[n++] = (struct reader){ read_docker, CRT_DOCKER };
		break;
	case CRT_CRIO:
		out[n++] = (struct reader){ read_crio, CRT_CRIO };
		break;
	case CRT_PODMAN:
		out[n++] = (struct reader){ read_podman_kv, CRT_PODMAN };
		break;
	case CRT_DOCKER:
		out[n++] = (struct reader){ read_docker, CRT_DOCKER };
		break;
	case CRT_RUNC:
		out[n++] = (struct reader){ read_runc, CRT_RUNC };
		break;
	case CRT_UNKNOWN:
		/* kubepods cgroupfs paths: any CRI runtime, or docker via dockershim */
		out[n++] = (struct reader){ read_containerd, CRT_CONTAINERD };
		out[n++] = (struct reader){ read_crio, CRT_CRIO };
		out[n++] = (struct reader){ read_docker, CRT_DOCKER };
		out[n++] = (struct reader){ read_runc, CRT_RUNC };
		out[n++] = (struct reader){ read_crun, CRT_UNKNOWN };
		break;
	default:
		break;
	}
	return n;
}

int runtime_meta_read(const struct runtime_paths *p, const struct container_ref *ref,
		      struct container_meta *out)
{
	struct reader readers[8];
	struct kv_list *kv;
	bool unreadable = false;
	size_t n;
	int err = -ENOENT;

	memset(out, 0, sizeof(*out));
	out->runtime = ref->runtime;
	if (!ref->id[0] || strchr(ref->id, '/') || !strcmp(ref->id, ".") || !strcmp(ref->id, ".."))
		return -ENOENT;
	if (ref->runtime == CRT_NSPAWN) {
		/* a machine's name is its id; there is no image */
		snprintf(out->name, sizeof(out->name), "%s", ref->id);
		return 0;
	}
	kv = malloc(sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	n = readers_for(ref->runtime, readers);
	for (size_t i = 0; i < n && err; i++) {
		memset(out, 0, sizeof(*out));
		out->runtime = readers[i].runtime;
		err = readers[i].fn(p, ref->id, out, kv);
		unreadable |= err == -EINVAL;
	}
	/* a runtime knew the container but its file made no sense: say so */
	if (err && unreadable)
		err = -EINVAL;
	if (err) {
		memset(out, 0, sizeof(*out));
		out->runtime = ref->runtime;
	}
	if (!err && !out->pod_uid[0] && ref->pod_uid[0])
		snprintf(out->pod_uid, sizeof(out->pod_uid), "%s", ref->pod_uid);
	free(kv);
	return err;
}

/* ---- the resolver thread ---- */

struct meta_request {
	uint64_t cgroup_id;
	struct container_ref ref;
};

struct meta_resolver {
	struct runtime_paths paths;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a request came, or stop */
	pthread_cond_t room;		/* a result was taken, or stop */
	struct meta_request req[META_QUEUE_MAX];
	size_t req_head, req_n;
	struct meta_result res[META_QUEUE_MAX];
	size_t res_head, res_n;
	bool working;
	bool stop;
	atomic_bool results;		/* res_n > 0, readable without the lock */
};

static void *resolver_main(void *arg)
{
	struct meta_resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct meta_request q;
		struct meta_result out;

		while (!r->stop && !r->req_n)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stop)
			break;
		q = r->req[r->req_head];
		r->req_head = (r->req_head + 1) % META_QUEUE_MAX;
		r->req_n--;
		r->working = true;
		pthread_mutex_unlock(&r->lock);

		out.cgroup_id = q.cgroup_id;
		out.meta = malloc(sizeof(*out.meta));
		out.err = out.meta ? runtime_meta_read(&r->paths, &q.ref, out.meta) : -ENOMEM;
		if (out.err) {
			free(out.meta);
			out.meta = NULL;
		}

		pthread_mutex_lock(&r->lock);
		while (!r->stop && r->res_n == META_QUEUE_MAX)
			pthread_cond_wait(&r->room, &r->lock);
		r->working = false;
		if (r->stop) {
			free(out.meta);
			break;
		}
		r->res[(r->res_head + r->res_n) % META_QUEUE_MAX] = out;
		r->res_n++;
		atomic_store_explicit(&r->results, true, memory_order_release);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct meta_resolver *meta_resolver_new(const struct runtime_paths *paths)
{
	struct meta_resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->paths = *paths;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->room, NULL);
	err = pthread_create(&r->thread, NULL, resolver_main, r);
	if (err) {
		log_error("cannot start the container metadata thread: %s", strerror(err));
		free(r);
		errno = err;
		return NULL;
	}
	pthread_setname_np(r->thread, "vigil-ctrmeta");
	return r;
}

int meta_resolver_submit(struct meta_resolver *r, uint64_t cgroup_id,
			 const struct container_ref *ref)
{
	int err = 0;

	pthread_mutex_lock(&r->lock);
	if (r->req_n == META_QUEUE_MAX) {
		err = -EAGAIN;
	} else {
		struct meta_request *q = &r->req[(r->req_head + r->req_n) % META_QUEUE_MAX];

		q->cgroup_id = cgroup_id;
		q->ref = *ref;
		r->req_n++;
		pthread_cond_signal(&r->work);
	}
	pthread_mutex_unlock(&r->lock);
	return err;
}

bool meta_resolver_has_results(const struct meta_resolver *r)
{
	return atomic_load_explicit(&((struct meta_resolver *)r)->results, memory_order_acquire);
}

size_t meta_resolver_collect(struct meta_resolver *r, struct meta_result *out, size_t max)
{
	size_t n = 0;

	if (!meta_resolver_has_results(r))
		return 0;
	pthread_mutex_lock(&r->lock);
	for (; n < max && r->res_n; n++) {
		out[n] = r->res[r->res_head];
		r->res_head = (r->res_head + 1) % META_QUEUE_MAX;
		r->res_n--;
	}
	atomic_store_explicit(&r->results, r->res_n > 0, memory_order_release);
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t meta_resolver_busy(struct meta_resolver *r)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->req_n + r->res_n + (r->working ? 1 : 0);
	pthread_mutex_unlock(&r->lock);
	return n;
}

void meta_resolver_free(struct meta_resolver *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->work);
	pthread_cond_broadcast(&r->room);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	for (size_t i = 0; i < r->res_n; i++)
		free(r->res[(r->res_head + i) % META_QUEUE_MAX].meta);
	pthread_cond_destroy(&r->work);
	pthread_cond_destroy(&r->room);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
