/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runtime_meta.h - container metadata (name, image, Kubernetes pod,
 * namespace, labels) read from the state container runtimes keep on the
 * host, with no API call: OCI bundle annotations (runc, crun, containerd,
 * CRI-O), containers/storage's container list (podman), docker's
 * config.v2.json.
 *
 * Reading those files takes disk I/O, so it never happens on the event
 * path: a meta_resolver thread serves requests from a bounded queue and
 * hands results back through another; the event thread polls them.
 */
#ifndef VIGIL_RUNTIME_META_H
#define VIGIL_RUNTIME_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/container.h"

#define RUNTIME_PATH_LEN	256

/*
 * Where each runtime keeps its state. host_root prefixes every directory
 * here and the paths those files name (a runc state's bundle), so vigil can
 * run in a container with the host's filesystem mounted at, say, /host.
 */
struct runtime_paths {
	char host_root[RUNTIME_PATH_LEN];	/* "" for "/" */
	char runc[RUNTIME_PATH_LEN];		/* <id>/state.json */
	char crun[RUNTIME_PATH_LEN];		/* <id>/status */
	char containerd[RUNTIME_PATH_LEN];	/* io.containerd.runtime.v2.task/<ns>/<id>/config.json */
	char crio[RUNTIME_PATH_LEN];		/* overlay-containers/<id>/userdata/config.json */
	char podman[RUNTIME_PATH_LEN];		/* overlay-containers/containers.json */
	char docker[RUNTIME_PATH_LEN];		/* containers/<id>/config.v2.json */
};

/* The runtimes' default locations, host_root "". */
void runtime_paths_default(struct runtime_paths *p);

/* How vigil finds containers (the `containers:` configuration section). */
struct container_opts {
	struct runtime_paths paths;
	char cgroup_root[RUNTIME_PATH_LEN];	/* "": the cgroup2 mount, under host_root */
	bool metadata;				/* read the runtimes' state (default) */
};

void container_opts_default(struct container_opts *o);

/*
 * Set one path by its configuration name ("host_root", "runc", "crun",
 * "containerd", "crio", "podman", "docker"). 0, -ENOENT for an unknown
 * name, -EINVAL for a relative path, -ENAMETOOLONG.
 */
int runtime_paths_set(struct runtime_paths *p, const char *name, const char *value);

/* The names runtime_paths_set() knows, comma-separated, for messages. */
extern const char runtime_paths_names[];

/* host_root + path into out. 0 or -ENAMETOOLONG. */
int runtime_paths_host(const struct runtime_paths *p, const char *path, char *out, size_t size);

/*
 * Read the metadata of container ref from the runtime state under p.
 * ref->runtime picks where to look; CRT_UNKNOWN (a kubepods cgroupfs path
 * names no runtime) tries containerd, CRI-O, docker and runc in turn, and
 * out->runtime says which answered. Blocking (file I/O): resolver thread and
 * tests only. 0 when a runtime knows the container, -ENOENT when none does,
 * -EINVAL when its file is unreadable (logged with its path).
 */
int runtime_meta_read(const struct runtime_paths *p, const struct container_ref *ref,
		      struct container_meta *out);

/*
 * Append "key:value" to labels ("k:v,k2:v2", Falco's k8s.pod.labels form).
 * Pairs whose key holds ':' or ',', or whose value holds ',', would be
 * ambiguous in that form and are left out, as are those that do not fit.
 */
void container_meta_add_label(struct container_meta *m, const char *key, const char *value);

/* ---- the resolver thread ---- */

struct meta_resolver;

#define META_QUEUE_MAX	256

struct meta_result {
	uint64_t cgroup_id;
	int err;			/* runtime_meta_read()'s answer */
	struct container_meta *meta;	/* malloc'ed, the receiver frees; NULL on error */
};

/* Start the thread. NULL with errno set on failure. paths is copied. */
struct meta_resolver *meta_resolver_new(const struct runtime_paths *paths);

/* Queue a request; never blocks. 0, or -EAGAIN when the queue is full. */
int meta_resolver_submit(struct meta_resolver *r, uint64_t cgroup_id,
			 const struct container_ref *ref);

/* True when results wait: one atomic load, for the event path. */
bool meta_resolver_has_results(const struct meta_resolver *r);

/* Move up to max results to out; never blocks on I/O. Returns how many. */
size_t meta_resolver_collect(struct meta_resolver *r, struct meta_result *out, size_t max);

/* Requests and results still in flight (tests wait on this). */
size_t meta_resolver_busy(struct meta_resolver *r);

/* Stop the thread, drop what is queued. */
void meta_resolver_free(struct meta_resolver *r);

#endif
