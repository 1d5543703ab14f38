/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container.h - container attribution: which runtime, container and pod a
 * cgroup v2 id belongs to. The kernel side only reports the cgroup id
 * (bpf_get_current_cgroup_id()); this module turns it into a cgroup path
 * once, recognises the path shapes that container runtimes create, and
 * caches the answer so the event path pays nothing after the first event.
 */
#ifndef VIGIL_CONTAINER_H
#define VIGIL_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum container_runtime {
	CRT_HOST = 0,
	CRT_DOCKER,
	CRT_CONTAINERD,
	CRT_CRIO,
	CRT_PODMAN,
	CRT_NSPAWN,
	CRT_RUNC,
	CRT_UNKNOWN,	/* a container (or pod) whose runtime the path does not name */
};

/* "host", "docker", ..., "unknown"; "unknown" for out-of-range values too. */
const char *container_runtime_name(enum container_runtime rt);

#define CONTAINER_ID_LEN	64
#define CONTAINER_POD_UID_LEN	36

struct container_ref {
	enum container_runtime runtime;
	/*
	 * Container id as found in the path: 64 hex for docker, containerd,
	 * cri-o and podman, the machine name for nspawn, the runc id for plain
	 * runc (truncated to 64 bytes). "" for host and for a pod-level cgroup.
	 */
	char id[CONTAINER_ID_LEN + 1];
	char pod_uid[CONTAINER_POD_UID_LEN + 1];	/* Kubernetes pod UID with '-', or "" */
	char qos[16];		/* "guaranteed", "burstable", "besteffort" or "" */
};

/*
 * Parse a cgroup v2 path (the part after "0::" in /proc/PID/cgroup; a
 * leading "0::" is skipped) into ref. Returns 1 when the path belongs to a
 * container or a Kubernetes pod, 0 for host (ref then says CRT_HOST). Never
 * touches the filesystem, so plain runc containers ("/<id>") parse as host;
 * container_lookup() tells them apart. A NULL or malformed path is host.
 */
int container_parse_cgroup_path(const char *path, struct container_ref *ref);

#define CONTAINER_CACHE_MAX	16384
#define CONTAINER_PATH_MAX	512

#define CONTAINER_NAME_LEN	128
#define CONTAINER_IMAGE_LEN	256
#define CONTAINER_POD_LEN	254	/* a pod name is a DNS subdomain: 253 */
#define CONTAINER_NS_LEN	64	/* a namespace is a DNS label: 63 */
#define CONTAINER_LABELS_LEN	1024

/*
 * What the runtime's own state says about a container (runtime_meta.h).
 * Strings are "" when the runtime does not record them.
 */
struct container_meta {
	enum container_runtime runtime;		/* the runtime whose state answered */
	bool sandbox;				/* a pod's sandbox ("pause") container */
	char name[CONTAINER_NAME_LEN];		/* Kubernetes container name, docker/podman name */
	char image[CONTAINER_IMAGE_LEN];	/* image reference as the runtime got it */
	char pod_name[CONTAINER_POD_LEN];
	char pod_namespace[CONTAINER_NS_LEN];
	char pod_uid[CONTAINER_POD_UID_LEN + 1];
	char labels[CONTAINER_LABELS_LEN];	/* "key:value,key2:value2" (pod labels in k8s) */
};

/* Where a container's metadata stands. */
enum container_meta_state {
	CMETA_NONE = 0,		/* not a container, or metadata is off */
	CMETA_PENDING,		/* asked, the resolver has not answered */
	CMETA_WAIT_EXEC,	/* plain runc without its state yet: asked again at its exec */
	CMETA_DONE,		/* answered: meta is set, or no runtime knows the container */
};

struct container_info {
	uint64_t cgroup_id;
	char cgroup_path[CONTAINER_PATH_MAX];	/* relative to the cgroup2 root, "" if unresolved */
	struct container_ref ref;
	bool resolved;		/* false: the cgroup is gone or could not be found */
	bool path_truncated;	/* cgroup_path was cut; ref came from the full path */
	/* host so far, but the cgroup could still become a plain runc
	 * container whose state file is not written yet: rechecked on
	 * lookups at most every CONTAINER_RECHECK_MS */
	bool runc_pending;
	uint64_t checked_ms;
	bool announced;		/* passed on to later stages (container_announce) */
	/* metadata and lifecycle (container_cache_enable_meta); meta is owned
	 * by the cache: NULL until the resolver answered with something */
	struct container_meta *meta;
	uint8_t meta_state;	/* enum container_meta_state */
	bool meta_queued;	/* the request is in the resolver's queue */
	bool meta_retried;	/* CMETA_WAIT_EXEC was used up */
	bool started;		/* container_start was emitted (container_mark_started) */
	uint8_t start_reason;	/* VGL_CTR_CREATED or VGL_CTR_FOUND */
	uint32_t creator_pid;	/* who created the cgroup (VGL_CTR_CREATED), else 0 */
	char creator_comm[16];
	uint64_t seen_ns;	/* boot-clock time vigil first saw the cgroup */
};

/* A container (not the host, not a pod-level cgroup). NULL is the host. */
bool container_info_is_container(const struct container_info *ci);

#define CONTAINER_RECHECK_MS 500

/* Maps cgroup ids to container_info; bounded. One thread uses it (see
 * container_cache_enable_meta for the resolver thread behind it). */
struct container_cache;

/*
 * New cache. cgroup_root is the cgroup2 mount (NULL: /sys/fs/cgroup if it
 * is cgroup2, else /sys/fs/cgroup/unified); runc_state_dir is where plain
 * runc keeps <id>/state.json (NULL: /run/runc). Returns NULL with errno set
 * when memory runs out or an explicit cgroup_root is not a cgroup2 mount.
 * An autodetect that finds no cgroup2 mount only warns: every lookup then
 * resolves to an unresolved entry.
 */
struct container_cache *container_cache_new(const char *cgroup_root, const char *runc_state_dir);

/*
 * New cache as the `containers:` settings say (runtime_meta.h): the cgroup2
 * mount (under host_root when one is set), runc's state directory, and the
 * metadata resolver unless o->metadata is false. NULL with errno set.
 */
struct container_opts;
struct container_cache *container_cache_open(const struct container_opts *o);

/* The cgroup2 mount the cache resolves against, "" if there is none. */
const char *container_cache_root(const struct container_cache *c);

/*
 * Info for cgroup_id: cached, or resolved now and cached (unresolvable ids
 * too, as CRT_UNKNOWN with resolved == false, so a miss costs its syscalls
 * once). Never returns NULL. A hit makes no syscall. The pointer stays valid
 * until the next container_lookup(), container_cache_forget() or
 * container_cache_free() on c; copy what must outlive that.
 */
const struct container_info *container_lookup(struct container_cache *c, uint64_t cgroup_id);

/* Drop cgroup_id (e.g. on cgroup rmdir) so a reused id is resolved afresh. */
/*
 * Re-run plain-runc detection now for a cgroup still pending (see
 * runc_pending). Called on exec: by the time a container's first program
 * runs, runc has written its state, so this settles a new container at its
 * first exec for the price of one access(2).
 */
void container_recheck_pending(struct container_cache *c, uint64_t cgroup_id);

/*
 * runc removes its state directory when a container exits, sometimes before
 * vigil has attributed that container's last events. The agent passes the
 * argv of every runc exec here (NUL-separated); the id of a `runc run` or
 * `runc create` is remembered (the last RUNC_IDS_MAX) and recognised as a
 * runc container whatever its state directory says.
 */
#define RUNC_IDS_MAX 64
void container_note_runc_argv(struct container_cache *c, const char *argv, size_t len);

void container_cache_forget(struct container_cache *c, uint64_t cgroup_id);

/*
 * Where the plain runc container id keeps its root filesystem, and when
 * runc created it, from its state file (<runc_state_dir>/<id>/state.json:
 * config.rootfs and created): rootfs gets the absolute path (size bytes),
 * *created_real_ns the creation time on the realtime clock. 0, -ENOENT when
 * there is no such container, -EINVAL when the state file does not say
 * (logged with its path), -ENAMETOOLONG when rootfs is too small.
 */
int container_runc_rootfs(const struct container_cache *c, const char *id, char *rootfs,
			  size_t size, uint64_t *created_real_ns);

/* RFC 3339 time ("2024-01-02T03:04:05.123456789Z", or with +hh:mm) as
 * realtime ns. 0, or -EINVAL. */
int container_parse_rfc3339(const char *s, uint64_t *real_ns);

/*
 * True once per cached cgroup, the first time it is called for it: lets the
 * agent hand a new container to later stages (the responder watches its
 * root filesystem) without a set of its own.
 */
bool container_announce(struct container_cache *c, uint64_t cgroup_id);

size_t container_cache_size(const struct container_cache *c);

/* ---- metadata and lifecycle ---- */

struct runtime_paths;

/*
 * Read container metadata from the runtimes' state under paths, in a
 * resolver thread (runtime_meta.h). Until this is called no metadata is
 * read and containers are CMETA_NONE. The cache itself stays single-threaded:
 * only the thread that calls container_lookup() touches entries; the
 * resolver works on copies and hands results back through its queue.
 * 0 or -errno.
 */
int container_cache_enable_meta(struct container_cache *c, const struct runtime_paths *paths);

/*
 * A cgroup the kernel just created, with its path from the hierarchy root:
 * cached from that path (no lookup), its metadata asked for at once, so it
 * is usually known before the container's first process runs.
 */
void container_cache_note_mkdir(struct container_cache *c, uint64_t cgroup_id, const char *path,
				size_t len, uint32_t pid, const char *comm, uint64_t ts_ns);

/* The entry for cgroup_id if cached, else NULL. Never resolves. */
const struct container_info *container_peek(struct container_cache *c, uint64_t cgroup_id);

/* True when the resolver has answers waiting: one atomic load. */
bool container_cache_has_results(const struct container_cache *c);

/*
 * Apply the resolver's answers; ready(ctx, info) is called for each
 * container whose metadata question is now settled (CMETA_DONE), with the
 * same pointer rules as container_lookup(). Returns how many were applied.
 */
size_t container_cache_collect(struct container_cache *c,
			       void (*ready)(void *ctx, const struct container_info *ci),
			       void *ctx);

/* True once per cached cgroup: the agent emits container_start then. */
bool container_mark_started(struct container_cache *c, uint64_t cgroup_id);

/* Wait (tests) until the resolver has nothing in flight, at most timeout_ms. */
bool container_cache_wait_idle(struct container_cache *c, unsigned int timeout_ms);

void container_cache_free(struct container_cache *c);

#endif
