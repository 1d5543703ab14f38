// SPDX-License-Identifier: GPL-2.0
/*
 * container.c - see container.h. Two halves: a pure parser for the cgroup
 * path shapes runtimes create, and a bounded cache that resolves a cgroup
 * id to its path (open_by_handle_at, else a directory walk) exactly once.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <yaml.h>
#include "enrich/container.h"
#include "enrich/runtime_meta.h"
#include "log.h"
#include "vigil_abi.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

/* Handle type kernfs exports: the 8-byte node id, which is the cgroup id. */
#define FILEID_KERNFS		0xfe
#define ROOT_CGROUP_ID		1

#define CACHE_HASH_BITS		14
#define CACHE_BUCKETS		(1U << CACHE_HASH_BITS)
_Static_assert(CACHE_BUCKETS >= CONTAINER_CACHE_MAX, "chains must stay short when full");

/* Bounds for the fallback walk: deep enough for any runtime, cheap enough for a miss. */
#define WALK_MAX_DEPTH		32
#define WALK_MAX_DIRS		65536

static const char *const runtime_names[] = {
	[CRT_HOST] = "host",
	[CRT_DOCKER] = "docker",
	[CRT_CONTAINERD] = "containerd",
	[CRT_CRIO] = "cri-o",
	[CRT_PODMAN] = "podman",
	[CRT_NSPAWN] = "systemd-nspawn",
	[CRT_RUNC] = "runc",
	[CRT_UNKNOWN] = "unknown",
};

const char *container_runtime_name(enum container_runtime rt)
{
	if ((unsigned int)rt >= sizeof(runtime_names) / sizeof(runtime_names[0]))
		return "unknown";
	return runtime_names[rt];
}

/* ---- path parser ------------------------------------------------------ */

/* One path component; never NUL-terminated, paths are not copied. */
struct comp {
	const char *s;
	size_t len;
};

static bool comp_eq(const struct comp *c, const char *s)
{
	return c->len == strlen(s) && !memcmp(c->s, s, c->len);
}

static bool comp_has_prefix(const struct comp *c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c->len >= n && !memcmp(c->s, prefix, n);
}

static bool comp_has_suffix(const struct comp *c, const char *suffix)
{
	size_t n = strlen(suffix);

	return c->len >= n && !memcmp(c->s + c->len - n, suffix, n);
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Advance *p past the next component before end; false when none is left. */
static bool next_comp(const char **p, const char *end, struct comp *c)
{
	const char *s = *p;

	while (s < end && *s == '/')
		s++;
	if (s == end)
		return false;
	c->s = s;
	while (s < end && *s != '/')
		s++;
	c->len = s - c->s;
	*p = s;
	return true;
}

static void copy_id(char *dst, const char *src, size_t n)
{
	if (n > CONTAINER_ID_LEN)
		n = CONTAINER_ID_LEN;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "\xHH" at s (n bytes left) as a non-NUL byte in *out. */
static bool unescape_byte(const char *s, size_t n, char *out)
{
	char hex[3] = { 0 };

	if (n < 4 || s[0] != '\\' || s[1] != 'x' || !is_hex(s + 2, 2))
		return false;
	memcpy(hex, s + 2, 2);
	*out = (char)strtoul(hex, NULL, 16);
	return *out != '\0';
}

/* systemd escapes '-' (and other bytes) in unit names as "\xHH". */
static void copy_unescaped(char *dst, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < CONTAINER_ID_LEN; i++) {
		if (unescape_byte(src + i, n - i, &dst[o]))
			i += 3;
		else
			dst[o] = src[i];
		o++;
	}
	dst[o] = '\0';
}

/*
 * Unit and directory names that carry a 64-hex id. conmon, the cri-o and
 * podman monitor, gets a scope of its own next to the container. It runs
 * outside the container's namespaces, but it exists only for that container
 * and acts on its behalf, so we attribute it to the container (same runtime
 * and id) rather than to the host: a pod-scoped rule then sees it too.
 */
struct hex_rule {
	const char *prefix;
	const char *suffix;
	enum container_runtime runtime;
};

static const struct hex_rule hex_rules[] = {
	{ "docker-", ".scope", CRT_DOCKER },
	{ "cri-containerd-", ".scope", CRT_CONTAINERD },
	{ "crio-conmon-", ".scope", CRT_CRIO },
	{ "crio-", ".scope", CRT_CRIO },
	{ "crio-", "", CRT_CRIO },			/* cgroupfs driver */
	{ "libpod-conmon-", ".scope", CRT_PODMAN },
	{ "libpod-", ".scope", CRT_PODMAN },
	{ "libpod-", "", CRT_PODMAN },			/* cgroupfs, under libpod_parent */
};

static bool match_hex_rule(const struct comp *c, struct container_ref *ref)
{
	for (size_t i = 0; i < sizeof(hex_rules) / sizeof(hex_rules[0]); i++) {
		const struct hex_rule *r = &hex_rules[i];
		size_t pre = strlen(r->prefix), suf = strlen(r->suffix);

		if (c->len != pre + CONTAINER_ID_LEN + suf || !comp_has_prefix(c, r->prefix) ||
		    !comp_has_suffix(c, r->suffix) || !is_hex(c->s + pre, CONTAINER_ID_LEN))
			continue;
		ref->runtime = r->runtime;
		copy_id(ref->id, c->s + pre, CONTAINER_ID_LEN);
		return true;
	}
	return false;
}

/* "<prefix><name><suffix>" with a non-empty name: the name, else NULL. */
static const char *named_unit(const struct comp *c, const char *prefix, const char *suffix,
			      size_t *len)
{
	size_t pre = strlen(prefix), suf = strlen(suffix);

	if (c->len <= pre + suf || !comp_has_prefix(c, prefix) || !comp_has_suffix(c, suffix))
		return NULL;
	*len = c->len - pre - suf;
	return c->s + pre;
}

/*
 * systemd-nspawn machines, and runc run by hand with the systemd driver
 * ("system.slice:runc:<id>" becomes runc-<id>.scope). libvirt also registers
 * its qemu VMs as machine-qemu\x2d...: those processes are the host's.
 */
static bool match_named_unit(const struct comp *c, const struct comp *parent,
			     struct container_ref *ref)
{
	const char *name;
	size_t len;

	if ((name = named_unit(c, "systemd-nspawn@", ".service", &len)) ||
	    (parent && comp_eq(parent, "machine.slice") &&
	     !comp_has_prefix(c, "machine-qemu\\x2d") &&
	     (name = named_unit(c, "machine-", ".scope", &len)))) {
		ref->runtime = CRT_NSPAWN;
		copy_unescaped(ref->id, name, len);
		return true;
	}
	if ((name = named_unit(c, "runc-", ".scope", &len))) {
		ref->runtime = CRT_RUNC;
		copy_id(ref->id, name, len);
		return true;
	}
	return false;
}

/*
 * A pod UID: a UUID, with '_' for '-' under the systemd driver, or 32 hex
 * for static pods (kubelet hashes their manifest). Stored with '-'.
 */
static bool parse_pod_uid(const char *s, size_t n, char sep, char *out)
{
	if (n == 32 && is_hex(s, n)) {
		memcpy(out, s, n);
		out[n] = '\0';
		return true;
	}
	if (n != CONTAINER_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !isxdigit((unsigned char)s[i]))
			return false;
	}
	/* out is left alone on failure: it may already hold a pod */
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] == sep ? '-' : s[i];
	out[n] = '\0';
	return true;
}

struct parse_state {
	bool in_kube;		/* below a kubepods root */
	bool pod_pending;	/* a pod cgroup with no container below it yet */
	bool matched;		/* a runtime rule matched a component */
	bool prev_is_pod;
	char qos_level[16];	/* from the cgroupfs/systemd QoS level above the pod */
	char pod_uid[CONTAINER_POD_UID_LEN + 1];
	char pod_qos[16];
};

/* Bounded copy; cutting is intended (callers flag it where it matters). */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "kubepods", "kubepods.slice", or "<cgroup-root>-kubepods.slice" (kind). */
static bool is_kube_root(const struct comp *c)
{
	return comp_eq(c, "kubepods") || comp_has_suffix(c, "kubepods.slice");
}

static const char *qos_level(const struct comp *c)
{
	if (comp_eq(c, "besteffort") || comp_has_suffix(c, "kubepods-besteffort.slice"))
		return "besteffort";
	if (comp_eq(c, "burstable") || comp_has_suffix(c, "kubepods-burstable.slice"))
		return "burstable";
	return NULL;
}

/* The QoS class named by the head of a pod slice, NULL if not a kubepods one. */
static const char *pod_slice_qos(const struct comp *head)
{
	if (comp_has_suffix(head, "kubepods-besteffort"))
		return "besteffort";
	if (comp_has_suffix(head, "kubepods-burstable"))
		return "burstable";
	if (comp_has_suffix(head, "kubepods"))
		return "guaranteed";
	return NULL;
}

/* systemd "kubepods[-<qos>]-pod<uid_>.slice": the QoS is in the name. */
static bool match_pod_slice(const struct comp *c, struct parse_state *st)
{
	static const size_t uid_lens[] = { CONTAINER_POD_UID_LEN, 32 };
	size_t len;

	if (!comp_has_suffix(c, ".slice"))
		return false;
	len = c->len - strlen(".slice");
	for (size_t i = 0; i < sizeof(uid_lens) / sizeof(uid_lens[0]); i++) {
		struct comp head = { c->s, 0 };
		const char *qos;

		if (len < uid_lens[i] + strlen("-pod"))
			continue;
		head.len = len - uid_lens[i] - strlen("-pod");
		if (memcmp(c->s + head.len, "-pod", 4) || !(qos = pod_slice_qos(&head)) ||
		    !parse_pod_uid(c->s + len - uid_lens[i], uid_lens[i], '_', st->pod_uid))
			continue;
		set_str(st->pod_qos, sizeof(st->pod_qos), qos);
		return true;
	}
	return false;
}

/* cgroupfs "pod<uid>" below the QoS level, if any; guaranteed pods have none. */
static bool match_pod(const struct comp *c, struct parse_state *st)
{
	if (comp_has_prefix(c, "pod") &&
	    parse_pod_uid(c->s + 3, c->len - 3, '-', st->pod_uid)) {
		set_str(st->pod_qos, sizeof(st->pod_qos),
			st->qos_level[0] ? st->qos_level : "guaranteed");
		return true;
	}
	return match_pod_slice(c, st);
}

/* Track the Kubernetes levels of the path: kubepods root, QoS, pod. */
static void parse_kube(const struct comp *c, struct parse_state *st)
{
	const char *qos;

	if (is_kube_root(c)) {
		st->in_kube = true;
		st->pod_pending = false;
		st->qos_level[0] = st->pod_uid[0] = st->pod_qos[0] = '\0';
		return;
	}
	if (!st->in_kube || st->pod_uid[0])
		return;
	if ((qos = qos_level(c)))
		set_str(st->qos_level, sizeof(st->qos_level), qos);
	else if (match_pod(c, st))
		st->prev_is_pod = st->pod_pending = true;
}

/*
 * A bare 64-hex directory: a container under a cgroupfs pod or /docker; as
 * a leaf elsewhere (ctr's "/<namespace>/<id>") a container of unknown
 * runtime, unless a unit rule already matched above it. Under a .service
 * it is a daemon's own sub-cgroup (containerd.service/...).
 */
static bool match_hex_dir(const struct comp *c, const struct comp *parent, bool leaf,
			  bool under_pod, const struct parse_state *st, struct container_ref *ref)
{
	if (c->len != CONTAINER_ID_LEN || !is_hex(c->s, c->len))
		return false;
	if (under_pod)
		ref->runtime = CRT_CONTAINERD;
	else if (parent && comp_eq(parent, "docker"))
		ref->runtime = CRT_DOCKER;
	else if (leaf && !st->matched && !(parent && comp_has_suffix(parent, ".service")))
		ref->runtime = CRT_UNKNOWN;
	else
		return false;
	copy_id(ref->id, c->s, c->len);
	return true;
}

static void parse_comp(const struct comp *c, const struct comp *parent, bool leaf,
		       struct parse_state *st, struct container_ref *ref)
{
	bool under_pod = st->prev_is_pod;

	st->prev_is_pod = false;
	parse_kube(c, st);
	if (st->prev_is_pod)
		return;
	if (!match_hex_rule(c, ref) && !match_named_unit(c, parent, ref) &&
	    !match_hex_dir(c, parent, leaf, under_pod, st, ref))
		return;
	st->matched = true;
	st->pod_pending = false;
	/* the deepest match wins, and takes the pod it sits in (if any) */
	memcpy(ref->pod_uid, st->pod_uid, sizeof(ref->pod_uid));
	memcpy(ref->qos, st->pod_qos, sizeof(ref->qos));
}

int container_parse_cgroup_path(const char *path, struct container_ref *ref)
{
	struct parse_state st = { 0 };
	struct comp prev, cur, next;
	const char *p, *end;
	bool have_prev = false;

	memset(ref, 0, sizeof(*ref));
	if (!path)
		return 0;
	if (!strncmp(path, "0::", 3))
		path += 3;
	p = path;
	end = path + strcspn(path, "\n");

	if (!next_comp(&p, end, &cur))
		return 0;
	for (;;) {
		bool leaf = !next_comp(&p, end, &next);

		parse_comp(&cur, have_prev ? &prev : NULL, leaf, &st, ref);
		if (leaf)
			break;
		prev = cur;
		have_prev = true;
		cur = next;
	}

	/* a pod-level cgroup: in a pod, but in none of its containers */
	if (st.pod_pending) {
		memset(ref, 0, sizeof(*ref));
		ref->runtime = CRT_UNKNOWN;
		memcpy(ref->pod_uid, st.pod_uid, sizeof(ref->pod_uid));
		memcpy(ref->qos, st.pod_qos, sizeof(ref->qos));
		return 1;
	}
	if (!st.matched) {
		memset(ref, 0, sizeof(*ref));
		return 0;
	}
	return 1;
}

/* ---- cgroup id cache -------------------------------------------------- */

struct cache_entry {
	struct container_info info;
	struct cache_entry *hnext;
	struct cache_entry *lru_prev, *lru_next;
};

struct container_cache {
	int root_fd;			/* the cgroup2 mount, -1 if there is none */
	bool no_handles;		/* open_by_handle_at() cannot work here: walk */
	char root[PATH_MAX];
	char root_link[PATH_MAX];	/* the root as /proc/self/fd shows it */
	size_t root_link_len;
	char runc_dir[PATH_MAX];
	size_t size;
	struct cache_entry lru;		/* sentinel; lru.lru_next is the most recent */
	struct container_info scratch;	/* answer when an entry cannot be allocated */
	struct cache_entry *buckets[CACHE_BUCKETS];
	/* ids of containers runc was asked to start, newest last (a ring) */
	char runc_ids[RUNC_IDS_MAX][CONTAINER_ID_LEN + 1];
	unsigned int runc_next;
	struct meta_resolver *resolver;	/* NULL: metadata is off */
};

/* 0 if path is a cgroup2 mount, -EINVAL if another filesystem, else -errno. */
static int check_cgroup2(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -errno;
	return sfs.f_type == CGROUP2_SUPER_MAGIC ? 0 : -EINVAL;
}

/* Where fd points, with the " (deleted)" the kernel adds for removed dirs cut. */
static int fd_path(int fd, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	if ((size_t)n >= sizeof(deleted) - 1 && !strcmp(buf + n - (sizeof(deleted) - 1), deleted))
		buf[n - (sizeof(deleted) - 1)] = '\0';
	return 0;
}

static int open_root(struct container_cache *c, const char *root)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	int err;

	for (size_t i = 0; !root && i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (!check_cgroup2(candidates[i]))
			root = candidates[i];
	if (!root) {
		log_warn("no cgroup2 mount found: containers will not be attributed");
		return 0;
	}
	err = check_cgroup2(root);
	if (err == -EINVAL)
		log_error("cgroup root '%s' is not a cgroup2 mount", root);
	else if (err)
		log_error("cannot stat cgroup root '%s': %s", root, strerror(-err));
	if (err)
		return err;
	c->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->root_fd < 0) {
		err = -errno;
		log_error("cannot open cgroup root '%s': %s", root, strerror(-err));
		return err;
	}
	set_str(c->root, sizeof(c->root), root);
	if (fd_path(c->root_fd, c->root_link, sizeof(c->root_link)))
		set_str(c->root_link, sizeof(c->root_link), root);
	/* a root mounted at "/" contributes no prefix */
	c->root_link_len = strcmp(c->root_link, "/") ? strlen(c->root_link) : 0;
	return 0;
}

struct container_cache *container_cache_new(const char *cgroup_root, const char *runc_state_dir)
{
	struct container_cache *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->root_fd = -1;
	c->lru.lru_next = c->lru.lru_prev = &c->lru;
	set_str(c->runc_dir, sizeof(c->runc_dir), runc_state_dir ? runc_state_dir : "/run/runc");
	err = open_root(c, cgroup_root);
	if (err) {
		free(c);
		errno = -err;
		return NULL;
	}
	return c;
}

struct container_cache *container_cache_open(const struct container_opts *o)
{
	static const char *const under[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char root[PATH_MAX], runc[PATH_MAX];
	const char *cg = o->cgroup_root[0] ? o->cgroup_root : NULL;
	struct container_cache *c;

	/* with a host root, the host's cgroup2 mount is under it */
	for (size_t i = 0; !cg && o->paths.host_root[0] && i < sizeof(under) / sizeof(under[0]); i++) {
		snprintf(root, sizeof(root), "%s%s", o->paths.host_root, under[i]);
		if (!check_cgroup2(root))
			cg = root;
	}
	if (runtime_paths_host(&o->paths, o->paths.runc, runc, sizeof(runc))) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	c = container_cache_new(cg, runc);
	if (c && o->metadata) {
		int err = container_cache_enable_meta(c, &o->paths);

		if (err) {
			container_cache_free(c);
			errno = -err;
			return NULL;
		}
	}
	return c;
}

const char *container_cache_root(const struct container_cache *c)
{
	return c->root;
}

/* Turn an absolute path under the mount into one relative to the hierarchy. */
static int strip_root(const struct container_cache *c, const char *abs, char *out, size_t size)
{
	const char *rel = abs + c->root_link_len;

	if (strncmp(abs, c->root_link, c->root_link_len) || (*rel && *rel != '/'))
		return -EXDEV;
	if ((size_t)snprintf(out, size, "%s", *rel ? rel : "/") >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* The kernfs node id is the whole file handle, so no name_to_handle_at() is needed. */
static int resolve_by_handle(const struct container_cache *c, uint64_t id, char *out, size_t size)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char abs[PATH_MAX];
	int fd, err;

	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(c->root_fd, &h.fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fd_path(fd, abs, sizeof(abs));
	close(fd);
	return err ? err : strip_root(c, abs, out, size);
}

/*
 * Depth-first search below dir_fd (consumed) for the directory whose inode
 * is id. kernfs reports the node id as d_ino, so no stat per entry. path
 * holds len bytes on entry and the found path on success.
 */
static int walk_find(int dir_fd, uint64_t id, char *path, size_t len, size_t size,
		     int depth, unsigned int *budget)
{
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	d = fdopendir(dir_fd);
	if (!d) {
		close(dir_fd);
		return -ENOENT;
	}
	while (ret && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    len + 1 + n >= size)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		if (de->d_ino == id) {
			ret = 0;
			break;
		}
		if (depth >= WALK_MAX_DEPTH || !*budget)
			continue;
		(*budget)--;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			ret = walk_find(sub, id, path, len + 1 + n, size, depth + 1, budget);
	}
	if (ret)
		path[len] = '\0';
	closedir(d);
	return ret;
}

static int resolve_by_walk(const struct container_cache *c, uint64_t id, char *out, size_t size)
{
	unsigned int budget = WALK_MAX_DIRS;
	int fd;

	fd = openat(c->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out[0] = '\0';
	return walk_find(fd, id, out, 0, size, 0, &budget);
}

static int resolve_path(struct container_cache *c, uint64_t id, char *out, size_t size)
{
	int err;

	if (c->root_fd < 0)
		return -ENOENT;
	if (id == ROOT_CGROUP_ID) {
		set_str(out, size, "/");
		return 0;
	}
	if (!c->no_handles) {
		err = resolve_by_handle(c, id, out, size);
		/* ESTALE: no such cgroup (any more); a walk would not find it either */
		if (!err || err == -ESTALE)
			return err;
		if (err == -EPERM || err == -EOPNOTSUPP || err == -EINVAL || err == -ENOSYS) {
			log_debug("cannot open cgroups by handle: %s; walking '%s' instead",
				  strerror(-err), c->root);
			c->no_handles = true;
		}
	}
	return resolve_by_walk(c, id, out, size);
}

static bool runc_state_exists(const struct container_cache *c, const char *name, size_t len)
{
	char p[PATH_MAX];

	if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return false;
	if ((size_t)snprintf(p, sizeof(p), "%s/%.*s/state.json", c->runc_dir, (int)len, name) >=
	    sizeof(p))
		return false;
	return !access(p, F_OK);
}

static bool runc_id_noted(const struct container_cache *c, const char *name, size_t len)
{
	for (unsigned int i = 0; i < RUNC_IDS_MAX; i++)
		if (strlen(c->runc_ids[i]) == len && len && !memcmp(c->runc_ids[i], name, len))
			return true;
	return false;
}

/*
 * `runc [global options] run|create [options] ID`: the id is the last
 * argument. Options that take a value are skipped with it, so a bundle path
 * is never taken for the id.
 */
void container_note_runc_argv(struct container_cache *c, const char *argv, size_t len)
{
	static const char *const with_value[] = {
		"--root", "--log", "--log-format", "--criu", "--rootless", "-b", "--bundle",
		"--console-socket", "--pid-file", "--preserve-fds", NULL,
	};
	const char *arg = argv, *end = argv + len, *id = NULL;
	bool after_cmd = false, skip = false;

	for (int n = 0; arg < end; n++) {
		size_t alen = strnlen(arg, end - arg);

		if (n > 0 && !skip) {
			if (!after_cmd && (!strcmp(arg, "run") || !strcmp(arg, "create")))
				after_cmd = true;
			else if (after_cmd && arg[0] != '-')
				id = arg;
			for (int k = 0; arg[0] == '-' && with_value[k]; k++)
				if (!strcmp(arg, with_value[k]))
					skip = true;
		} else {
			skip = false;
		}
		arg += alen + 1;
	}
	if (!id || strlen(id) > CONTAINER_ID_LEN || strchr(id, '/'))
		return;
	snprintf(c->runc_ids[c->runc_next % RUNC_IDS_MAX], CONTAINER_ID_LEN + 1, "%s", id);
	c->runc_next++;
}

/*
 * Plain runc puts a container at "/<id>" by default, which looks like any
 * other cgroup: its state directory is the only tell. The leaf is tried
 * first, then its parent for containers that made cgroups of their own.
 */
static bool detect_runc(const struct container_cache *c, const char *path,
			struct container_ref *ref)
{
	const char *end = path + strlen(path);

	for (int i = 0; i < 2; i++) {
		const char *leaf;

		while (end > path && end[-1] == '/')
			end--;
		for (leaf = end; leaf > path && leaf[-1] != '/'; leaf--)
			;
		if (leaf == end)
			return false;
		if (runc_state_exists(c, leaf, end - leaf) || runc_id_noted(c, leaf, end - leaf)) {
			memset(ref, 0, sizeof(*ref));
			ref->runtime = CRT_RUNC;
			copy_id(ref->id, leaf, end - leaf);
			return true;
		}
		end = leaf;
	}
	return false;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* vDSO: no system call */
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * runc joins the container's cgroup before it writes state.json, so the
 * first events of a new container can find no state yet. Worth a recheck:
 * any non-root cgroup whose leaf is not a systemd unit (those are named
 * *.service, *.scope, *.slice and are never a plain runc id).
 */
static bool could_be_runc(const char *path)
{
	const char *leaf = strrchr(path, '/');
	size_t n;

	leaf = leaf ? leaf + 1 : path;
	n = strlen(leaf);
	if (!n)
		return false;
	return !((n > 8 && !strcmp(leaf + n - 8, ".service")) ||
		 (n > 6 && !strcmp(leaf + n - 6, ".scope")) ||
		 (n > 6 && !strcmp(leaf + n - 6, ".slice")));
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);	/* vDSO: no system call */
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool container_info_is_container(const struct container_info *ci)
{
	return ci && ci->ref.runtime != CRT_HOST && ci->ref.id[0];
}

/*
 * Ask the resolver about a container that has no answer yet. A full queue
 * leaves the request unqueued: container_lookup() retries it, so a burst of
 * new containers delays metadata rather than losing it.
 */
static void request_meta(struct container_cache *c, struct container_info *info)
{
	if (!c->resolver || !container_info_is_container(info) || info->meta_state == CMETA_DONE ||
	    info->meta_queued)
		return;
	info->meta_state = CMETA_PENDING;
	info->meta_queued = !meta_resolver_submit(c->resolver, info->cgroup_id, &info->ref);
}

static void drop_meta(struct container_info *info)
{
	free(info->meta);
	info->meta = NULL;
}

static void recheck_runc(struct container_cache *c, struct container_info *info, bool force)
{
	uint64_t now = monotonic_ms();

	if (!force && now - info->checked_ms < CONTAINER_RECHECK_MS)
		return;
	info->checked_ms = now;
	if (detect_runc(c, info->cgroup_path, &info->ref)) {
		info->runc_pending = false;
		request_meta(c, info);
	}
}

static void info_from_path(struct container_cache *c, struct container_info *info,
			   const char *path);

static void resolve_info(struct container_cache *c, uint64_t id, struct container_info *info)
{
	char path[PATH_MAX];
	int err;

	drop_meta(info);
	memset(info, 0, sizeof(*info));
	info->cgroup_id = id;
	err = resolve_path(c, id, path, sizeof(path));
	if (err) {
		log_debug("cannot resolve cgroup %" PRIu64 ": %s", id, strerror(-err));
		info->ref.runtime = CRT_UNKNOWN;
		return;
	}
	info_from_path(c, info, path);
}

/* Fill a cleared info (cgroup_id set) from its cgroup path. */
static void info_from_path(struct container_cache *c, struct container_info *info,
			   const char *path)
{
	info->resolved = true;
	container_parse_cgroup_path(path, &info->ref);
	if (info->ref.runtime == CRT_HOST ||
	    (info->ref.runtime == CRT_UNKNOWN && !info->ref.pod_uid[0])) {
		bool found = detect_runc(c, path, &info->ref);

		info->runc_pending = !found && could_be_runc(path);
		info->checked_ms = monotonic_ms();
	}
	info->path_truncated = strlen(path) >= sizeof(info->cgroup_path);
	set_str(info->cgroup_path, sizeof(info->cgroup_path), path);
	info->seen_ns = boot_ns();
	info->start_reason = VGL_CTR_FOUND;
	request_meta(c, info);
}

static unsigned int hash_id(uint64_t id)
{
	return (unsigned int)((id * 0x9e3779b97f4a7c15ULL) >> (64 - CACHE_HASH_BITS));
}

static void lru_unlink(struct cache_entry *e)
{
	e->lru_prev->lru_next = e->lru_next;
	e->lru_next->lru_prev = e->lru_prev;
}

static void lru_push(struct container_cache *c, struct cache_entry *e)
{
	e->lru_prev = &c->lru;
	e->lru_next = c->lru.lru_next;
	c->lru.lru_next->lru_prev = e;
	c->lru.lru_next = e;
}

/* Unlink the entry for id from its chain and the LRU list; NULL if absent. */
static struct cache_entry *cache_remove(struct container_cache *c, uint64_t id)
{
	struct cache_entry **pp = &c->buckets[hash_id(id)];

	for (; *pp; pp = &(*pp)->hnext) {
		struct cache_entry *e = *pp;

		if (e->info.cgroup_id != id)
			continue;
		*pp = e->hnext;
		lru_unlink(e);
		c->size--;
		return e;
	}
	return NULL;
}

/* A fresh entry: a new one while below the bound, else the least recently used. */
static struct cache_entry *cache_take(struct container_cache *c)
{
	if (c->size < CONTAINER_CACHE_MAX)
		return calloc(1, sizeof(struct cache_entry));
	return cache_remove(c, c->lru.lru_prev->info.cgroup_id);
}

static void cache_insert(struct container_cache *c, struct cache_entry *e)
{
	unsigned int b = hash_id(e->info.cgroup_id);

	e->hnext = c->buckets[b];
	c->buckets[b] = e;
	lru_push(c, e);
	c->size++;
}

static struct cache_entry *cache_find(struct container_cache *c, uint64_t id)
{
	for (struct cache_entry *e = c->buckets[hash_id(id)]; e; e = e->hnext)
		if (e->info.cgroup_id == id)
			return e;
	return NULL;
}

const struct container_info *container_lookup(struct container_cache *c, uint64_t cgroup_id)
{
	unsigned int b = hash_id(cgroup_id);
	struct cache_entry *e;

	for (e = c->buckets[b]; e; e = e->hnext) {
		if (e->info.cgroup_id == cgroup_id) {
			lru_unlink(e);
			lru_push(c, e);
			if (e->info.runc_pending)
				recheck_runc(c, &e->info, false);
			else if (e->info.meta_state == CMETA_PENDING && !e->info.meta_queued)
				request_meta(c, &e->info);
			return &e->info;
		}
	}
	e = cache_take(c);
	if (!e) {
		/* no entry to hold an answer: do not ask */
		struct meta_resolver *r = c->resolver;

		c->resolver = NULL;
		resolve_info(c, cgroup_id, &c->scratch);
		c->resolver = r;
		return &c->scratch;
	}
	resolve_info(c, cgroup_id, &e->info);
	cache_insert(c, e);
	return &e->info;
}

bool container_announce(struct container_cache *c, uint64_t cgroup_id)
{
	for (struct cache_entry *e = c->buckets[hash_id(cgroup_id)]; e; e = e->hnext)
		if (e->info.cgroup_id == cgroup_id) {
			bool first = !e->info.announced;

			e->info.announced = true;
			return first;
		}
	return false;
}

void container_recheck_pending(struct container_cache *c, uint64_t cgroup_id)
{
	struct cache_entry *e;

	for (e = c->buckets[hash_id(cgroup_id)]; e; e = e->hnext) {
		if (e->info.cgroup_id != cgroup_id)
			continue;
		if (e->info.runc_pending)
			recheck_runc(c, &e->info, true);
		else if (e->info.meta_state == CMETA_WAIT_EXEC)
			request_meta(c, &e->info);
	}
}

void container_cache_forget(struct container_cache *c, uint64_t cgroup_id)
{
	struct cache_entry *e = cache_remove(c, cgroup_id);

	if (e)
		drop_meta(&e->info);
	free(e);
}

/* ---- runc state ---- */

int container_parse_rfc3339(const char *s, uint64_t *real_ns)
{
	struct tm tm = { 0 };
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	uint64_t frac = 0, scale = 1000000000ULL;
	long offset = 0;
	time_t secs;

	if (!p)
		return -EINVAL;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	if (*p == '+' || *p == '-') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || strlen(p) != 6)
			return -EINVAL;
		offset = (hh * 3600L + mm * 60L) * (*p == '+' ? 1 : -1);
	} else if (strcmp(p, "Z") && strcmp(p, "z")) {
		return -EINVAL;
	}
	secs = timegm(&tm) - offset;
	if (secs < 0)
		return -EINVAL;
	*real_ns = (uint64_t)secs * 1000000000ULL + frac;
	return 0;
}

/* The scalar value of key in mapping node map, or NULL. */
static yaml_node_t *yaml_map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static const char *yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* rootfs and created of a loaded state document. 0 or -EINVAL / -ENAMETOOLONG. */
static int runc_state_fields(yaml_document_t *doc, char *rootfs, size_t size,
			     uint64_t *created_real_ns)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	const char *fs = yaml_scalar(yaml_map_get(doc, yaml_map_get(doc, root, "config"),
						  "rootfs"));
	const char *created = yaml_scalar(yaml_map_get(doc, root, "created"));

	if (!fs || fs[0] != '/' || !created || container_parse_rfc3339(created, created_real_ns))
		return -EINVAL;
	if ((size_t)snprintf(rootfs, size, "%s", fs) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int container_runc_rootfs(const struct container_cache *c, const char *id, char *rootfs,
			  size_t size, uint64_t *created_real_ns)
{
	char path[PATH_MAX];
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f;
	int err = -EINVAL;

	if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/state.json", c->runc_dir, id) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* JSON is YAML: libyaml reads runc's state as it is */
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (yaml_parser_load(&parser, &doc)) {
		err = runc_state_fields(&doc, rootfs, size, created_real_ns);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (err == -EINVAL)
		log_warn("runc state '%s' has no usable config.rootfs and created", path);
	return err;
}

/* ---- metadata and lifecycle ---- */

int container_cache_enable_meta(struct container_cache *c, const struct runtime_paths *paths)
{
	if (c->resolver)
		return 0;
	c->resolver = meta_resolver_new(paths);
	return c->resolver ? 0 : -errno;
}

void container_cache_note_mkdir(struct container_cache *c, uint64_t cgroup_id, const char *path,
				size_t len, uint32_t pid, const char *comm, uint64_t ts_ns)
{
	char p[PATH_MAX];
	struct cache_entry *e;

	if (!len || len >= sizeof(p))
		return;		/* a lookup resolves it, should it matter */
	memcpy(p, path, len);
	p[len] = '\0';
	container_cache_forget(c, cgroup_id);	/* a stale entry would keep an old answer */
	e = cache_take(c);
	if (!e)
		return;
	drop_meta(&e->info);
	memset(&e->info, 0, sizeof(e->info));
	e->info.cgroup_id = cgroup_id;
	info_from_path(c, &e->info, p);
	e->info.start_reason = VGL_CTR_CREATED;
	e->info.creator_pid = pid;
	set_str(e->info.creator_comm, sizeof(e->info.creator_comm), comm);
	e->info.seen_ns = ts_ns;
	cache_insert(c, e);
}

const struct container_info *container_peek(struct container_cache *c, uint64_t cgroup_id)
{
	struct cache_entry *e = cache_find(c, cgroup_id);

	return e ? &e->info : NULL;
}

bool container_cache_has_results(const struct container_cache *c)
{
	return c->resolver && meta_resolver_has_results(c->resolver);
}

/*
 * One answer. A plain runc container asked about at its cgroup's creation
 * has no state file yet: it is asked again at its first exec rather than
 * settled without metadata.
 */
static bool apply_result(struct container_cache *c, struct meta_result *r)
{
	struct cache_entry *e = cache_find(c, r->cgroup_id);
	struct container_info *info;

	if (!e || e->info.meta_state == CMETA_DONE) {
		free(r->meta);		/* forgotten, or answered twice */
		return false;
	}
	info = &e->info;
	info->meta_queued = false;
	if (r->err && info->ref.runtime == CRT_RUNC && info->meta_state == CMETA_PENDING &&
	    !info->meta_retried) {
		info->meta_state = CMETA_WAIT_EXEC;
		info->meta_retried = true;	/* asked twice at most */
		return false;
	}
	drop_meta(info);
	info->meta = r->meta;
	info->meta_state = CMETA_DONE;
	/* a cgroupfs kubepods path names no runtime; the one that answered does */
	if (info->meta && info->ref.runtime == CRT_UNKNOWN)
		info->ref.runtime = info->meta->runtime;
	return true;
}

size_t container_cache_collect(struct container_cache *c,
			       void (*ready)(void *ctx, const struct container_info *ci),
			       void *ctx)
{
	struct meta_result res[32];
	size_t n, applied = 0;

	if (!c->resolver)
		return 0;
	while ((n = meta_resolver_collect(c->resolver, res, sizeof(res) / sizeof(res[0])))) {
		for (size_t i = 0; i < n; i++) {
			if (!apply_result(c, &res[i]))
				continue;
			applied++;
			if (ready) {
				const struct container_info *ci = container_peek(c, res[i].cgroup_id);

				if (ci)
					ready(ctx, ci);
			}
		}
	}
	return applied;
}

bool container_mark_started(struct container_cache *c, uint64_t cgroup_id)
{
	struct cache_entry *e = cache_find(c, cgroup_id);
	bool first = e && !e->info.started;

	if (e)
		e->info.started = true;
	return first;
}

bool container_cache_wait_idle(struct container_cache *c, unsigned int timeout_ms)
{
	for (unsigned int waited = 0; c->resolver && meta_resolver_busy(c->resolver); waited++) {
		if (waited >= timeout_ms)
			return false;
		usleep(1000);
	}
	return true;
}

size_t container_cache_size(const struct container_cache *c)
{
	return c->size;
}

void container_cache_free(struct container_cache *c)
{
	struct cache_entry *e, *next;

	if (!c)
		return;
	meta_resolver_free(c->resolver);
	for (e = c->lru.lru_next; e != &c->lru; e = next) {
		next = e->lru_next;
		drop_meta(&e->info);
		free(e);
	}
	if (c->root_fd >= 0)
		close(c->root_fd);
	free(c);
}
