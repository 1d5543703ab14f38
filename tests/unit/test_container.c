// SPDX-License-Identifier: GPL-2.0
/*
 * test_container.c - container attribution: the path parser against the
 * cgroup shapes each runtime and cgroup driver really creates, and the id
 * cache against this machine's cgroup2 hierarchy (root only: they fail, never
 * skip, without root or a cgroup2 mount).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "enrich/container.h"
#include "enrich/runtime_meta.h"
#include "vigil_abi.h"

#define ID	"9983bb7f2b155e7005f735acee657c345a3953dab75b888be6286d8bd5bd4ce7"
#define ID2	"a52fc7efb25d6baac132290ac04f5de6123882f957a8ef93f1350d2583d6fe5d"
#define UID	"8a6f3c2e-1b4d-4e5f-9a7b-6c5d4e3f2a1b"
#define UID_	"8a6f3c2e_1b4d_4e5f_9a7b_6c5d4e3f2a1b"	/* as the systemd driver writes it */
#define SUID	"c2dbd4d8cdf48cebd9be046cb601a97c"	/* static pod: hash of the manifest */

_Static_assert(sizeof(ID) == 65 && sizeof(ID2) == 65, "container ids are 64 hex");

struct parse_case {
	const char *path;
	int ret;
	enum container_runtime runtime;
	const char *id;
	const char *pod_uid;
	const char *qos;
};

static bool ref_is(const struct container_ref *ref, const struct parse_case *t)
{
	return ref->runtime == t->runtime && !strcmp(ref->id, t->id ? t->id : "") &&
	       !strcmp(ref->pod_uid, t->pod_uid ? t->pod_uid : "") &&
	       !strcmp(ref->qos, t->qos ? t->qos : "");
}

static void check_cases(const struct parse_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct parse_case *t = &cases[i];
		struct container_ref ref;
		int ret;

		memset(&ref, 0x5a, sizeof(ref));
		ret = container_parse_cgroup_path(t->path, &ref);
		if (ret != t->ret || !ref_is(&ref, t))
			print_error("case %zu: '%s'\n", i, t->path ? t->path : "(null)");
		assert_int_equal(ret, t->ret);
		assert_string_equal(container_runtime_name(ref.runtime),
				    container_runtime_name(t->runtime));
		assert_string_equal(ref.id, t->id ? t->id : "");
		assert_string_equal(ref.pod_uid, t->pod_uid ? t->pod_uid : "");
		assert_string_equal(ref.qos, t->qos ? t->qos : "");
	}
}

#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_containerd(void **state)
{
	static const struct parse_case cases[] = {
		/* CRI, systemd driver */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-" ID ".scope", 1, CRT_CONTAINERD, ID, UID, "burstable" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		  ".slice/cri-containerd-" ID ".scope", 1, CRT_CONTAINERD, ID, UID, "besteffort" },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  1, CRT_CONTAINERD, ID, UID, "guaranteed" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" SUID
		  ".slice/cri-containerd-" ID ".scope", 1, CRT_CONTAINERD, ID, SUID, "burstable" },
		/* kind: kubelet --cgroup-root=/kubelet */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		  "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  1, CRT_CONTAINERD, ID, UID, "besteffort" },
		/* cgroupfs driver */
		{ "/kubepods/burstable/pod" UID "/" ID, 1, CRT_CONTAINERD, ID, UID, "burstable" },
		{ "/kubepods/besteffort/pod" UID "/" ID, 1, CRT_CONTAINERD, ID, UID, "besteffort" },
		{ "/kubepods/pod" UID "/" ID, 1, CRT_CONTAINERD, ID, UID, "guaranteed" },
		{ "/kubepods/pod" SUID "/" ID, 1, CRT_CONTAINERD, ID, SUID, "guaranteed" },
		/* Kubernetes inside a docker container: the innermost container wins */
		{ "/docker/" ID2 "/kubepods/besteffort/pod" UID "/" ID,
		  1, CRT_CONTAINERD, ID, UID, "besteffort" },
		/* ctr without Kubernetes: "/<namespace>/<id>" names no runtime */
		{ "/default/" ID, 1, CRT_UNKNOWN, ID },
		{ "/k8s.io/" ID, 1, CRT_UNKNOWN, ID },
		{ "/" ID, 1, CRT_UNKNOWN, ID },
		/* the daemon itself */
		{ "/system.slice/containerd.service", 0, CRT_HOST },
		{ "/system.slice/containerd.service/" ID, 0, CRT_HOST },
	};

	CHECK(cases);
}

static void test_crio(void **state)
{
	static const struct parse_case cases[] = {
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/crio-" ID ".scope", 1, CRT_CRIO, ID, UID, "burstable" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/crio-" ID ".scope/container", 1, CRT_CRIO, ID, UID, "burstable" },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope/container",
		  1, CRT_CRIO, ID, UID, "guaranteed" },
		/* conmon is attributed to the container it monitors */
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		  ".slice/crio-conmon-" ID ".scope", 1, CRT_CRIO, ID, UID, "besteffort" },
		{ "/kubepods/besteffort/pod" UID "/crio-" ID, 1, CRT_CRIO, ID, UID, "besteffort" },
		{ "/kubepods/pod" UID "/crio-" ID, 1, CRT_CRIO, ID, UID, "guaranteed" },
	};

	CHECK(cases);
}

static void test_docker(void **state)
{
	static const struct parse_case cases[] = {
		{ "/system.slice/docker-" ID ".scope", 1, CRT_DOCKER, ID },
		{ "/docker/" ID, 1, CRT_DOCKER, ID },
		/* private cgroup namespace: the container made cgroups of its own */
		{ "/system.slice/docker-" ID ".scope/init.scope", 1, CRT_DOCKER, ID },
		{ "/system.slice/docker-" ID ".scope/" ID2, 1, CRT_DOCKER, ID },
		/* docker in docker */
		{ "/docker/" ID2 "/docker/" ID, 1, CRT_DOCKER, ID },
		/* rootless */
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID ".scope",
		  1, CRT_DOCKER, ID },
		/* dockershim-era Kubernetes, systemd driver */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/docker-" ID ".scope", 1, CRT_DOCKER, ID, UID, "burstable" },
		{ "/system.slice/docker.service", 0, CRT_HOST },
		{ "/docker", 0, CRT_HOST },
		{ "/docker/buildkit", 0, CRT_HOST },
	};

	CHECK(cases);
}

static void test_podman(void **state)
{
	static const struct parse_case cases[] = {
		{ "/machine.slice/libpod-" ID ".scope", 1, CRT_PODMAN, ID },
		{ "/machine.slice/libpod-" ID ".scope/container", 1, CRT_PODMAN, ID },
		{ "/machine.slice/libpod-conmon-" ID ".scope", 1, CRT_PODMAN, ID },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
		  1, CRT_PODMAN, ID },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID
		  ".scope/container", 1, CRT_PODMAN, ID },
		{ "/libpod_parent/libpod-" ID, 1, CRT_PODMAN, ID },
		/* podman pods: a slice per pod, a scope per container in it */
		{ "/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope/container",
		  1, CRT_PODMAN, ID },
		{ "/machine.slice/machine-libpod_pod_" ID2 ".slice", 0, CRT_HOST },
	};

	CHECK(cases);
}

static void test_nspawn_and_runc(void **state)
{
	static const struct parse_case cases[] = {
		{ "/machine.slice/systemd-nspawn@debian.service", 1, CRT_NSPAWN, "debian" },
		{ "/machine.slice/systemd-nspawn@debian.service/payload", 1, CRT_NSPAWN, "debian" },
		{ "/machine.slice/systemd-nspawn@fedora\\x2d40.service/payload",
		  1, CRT_NSPAWN, "fedora-40" },
		{ "/machine.slice/machine-my\\x2dbox.scope", 1, CRT_NSPAWN, "my-box" },
		{ "/machine.slice/machine-my\\x2dbox.scope/payload", 1, CRT_NSPAWN, "my-box" },
		{ "/machine.slice/machine-a\\x2db\\x2dc.scope/payload/system.slice",
		  1, CRT_NSPAWN, "a-b-c" },
		/* escapes that are cut short or not hex stay as they are */
		{ "/machine.slice/machine-odd\\x2.scope", 1, CRT_NSPAWN, "odd\\x2" },
		{ "/machine.slice/machine-odd\\xzz.scope", 1, CRT_NSPAWN, "odd\\xzz" },
		{ "/machine.slice/machine-nul\\x00.scope", 1, CRT_NSPAWN, "nul\\x00" },
		/* empty names, machine scopes outside machine.slice, libvirt VMs */
		{ "/machine.slice/systemd-nspawn@.service", 0, CRT_HOST },
		{ "/machine.slice/machine-.scope", 0, CRT_HOST },
		{ "/system.slice/machine-box.scope", 0, CRT_HOST },
		{ "/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope/libvirt/emulator", 0, CRT_HOST },
		{ "/machine.slice", 0, CRT_HOST },
		/* runc with the systemd driver; by default ("/<id>") it looks like the host */
		{ "/system.slice/runc-mybox.scope", 1, CRT_RUNC, "mybox" },
		{ "/mybox", 0, CRT_HOST },
	};

	CHECK(cases);
}

static void test_host(void **state)
{
	static const struct parse_case cases[] = {
		{ "/", 0, CRT_HOST },
		{ "/init.scope", 0, CRT_HOST },
		{ "/system.slice/ssh.service", 0, CRT_HOST },
		{ "/system.slice/systemd-journald.service", 0, CRT_HOST },
		{ "/user.slice/user-1000.slice/session-3.scope", 0, CRT_HOST },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service", 0, CRT_HOST },
		{ "/kubepods.slice", 0, CRT_HOST },
		{ "/kubepods.slice/kubepods-burstable.slice", 0, CRT_HOST },
		{ "/kubepods/besteffort", 0, CRT_HOST },
		/* /proc/PID/cgroup as read: prefix and newline */
		{ "0::/init.scope\n", 0, CRT_HOST },
		{ "0::/system.slice/docker-" ID ".scope\n", 1, CRT_DOCKER, ID },
		{ "//system.slice//docker-" ID ".scope/", 1, CRT_DOCKER, ID },
		/* a pod cgroup holds no process itself, but it is not the host */
		{ "/kubepods/burstable/pod" UID, 1, CRT_UNKNOWN, NULL, UID, "burstable" },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice", 1, CRT_UNKNOWN, NULL, UID,
		  "guaranteed" },
	};

	CHECK(cases);
}

static void test_malformed(void **state)
{
	static const struct parse_case cases[] = {
		{ NULL, 0, CRT_HOST },
		{ "", 0, CRT_HOST },
		{ "0::", 0, CRT_HOST },
		{ "////", 0, CRT_HOST },
		{ "\n", 0, CRT_HOST },
		/* ids too short, too long, not hex */
		{ "/system.slice/docker-abc123.scope", 0, CRT_HOST },
		{ "/system.slice/docker-" ID "0.scope", 0, CRT_HOST },
		{ "/system.slice/docker-" ID, 0, CRT_HOST },
		{ "/system.slice/docker-9983bb7f2b155e7005f735acee657c345a3953dab75b888be6286d8bd5bd4cez"
		  ".scope", 0, CRT_HOST },
		{ "/system.slice/docker-.scope", 0, CRT_HOST },
		{ "/docker/abc123", 0, CRT_HOST },
		{ "/docker/" ID "0", 0, CRT_HOST },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-xyz.scope", 1, CRT_UNKNOWN, NULL, UID, "burstable" },
		{ "/kubepods/burstable/pod" UID "/abc", 1, CRT_UNKNOWN, NULL, UID, "burstable" },
		{ "/libpod_parent/libpod-" ID "g", 0, CRT_HOST },
		/* pod UIDs that are not UIDs: no pod */
		{ "/kubepods/burstable/podxyz/" ID, 1, CRT_UNKNOWN, ID },
		{ "/kubepods/burstable/pod" UID_ "/" ID, 1, CRT_UNKNOWN, ID },
		{ "/kubepods.slice/kubepods-pod" UID ".slice/cri-containerd-" ID ".scope",
		  1, CRT_CONTAINERD, ID },
		{ "/kubepods.slice/kubepods-pod.slice", 0, CRT_HOST },
		{ "/kubepods.slice/-pod" UID_ ".slice", 0, CRT_HOST },
		{ "/other.slice/other-pod" UID_ ".slice", 0, CRT_HOST },
	};

	CHECK(cases);
}

static void test_long_paths(void **state)
{
	size_t n = 3 * PATH_MAX;
	struct container_ref ref;
	char *p = malloc(n + 200);

	assert_non_null(p);
	/* many short components */
	for (size_t i = 0; i < n; i += 2)
		memcpy(p + i, "/a", 2);
	p[n] = '\0';
	assert_int_equal(container_parse_cgroup_path(p, &ref), 0);

	/* ...then a container leaf */
	strcpy(p + n, "/docker-" ID ".scope");
	assert_int_equal(container_parse_cgroup_path(p, &ref), 1);
	assert_string_equal(ref.id, ID);

	/* one huge component */
	memset(p, 'f', n);
	p[0] = '/';
	p[n] = '\0';
	assert_int_equal(container_parse_cgroup_path(p, &ref), 0);

	/* an nspawn machine name longer than an id is cut to 64 bytes */
	strcpy(p, "/machine.slice/systemd-nspawn@");
	memset(p + strlen(p), 'm', 100);
	strcpy(p + strlen("/machine.slice/systemd-nspawn@") + 100, ".service");
	assert_int_equal(container_parse_cgroup_path(p, &ref), 1);
	assert_int_equal(strlen(ref.id), CONTAINER_ID_LEN);
	free(p);
}

static void test_runtime_names(void **state)
{
	assert_string_equal(container_runtime_name(CRT_HOST), "host");
	assert_string_equal(container_runtime_name(CRT_DOCKER), "docker");
	assert_string_equal(container_runtime_name(CRT_CONTAINERD), "containerd");
	assert_string_equal(container_runtime_name(CRT_CRIO), "cri-o");
	assert_string_equal(container_runtime_name(CRT_PODMAN), "podman");
	assert_string_equal(container_runtime_name(CRT_NSPAWN), "systemd-nspawn");
	assert_string_equal(container_runtime_name(CRT_RUNC), "runc");
	assert_string_equal(container_runtime_name(CRT_UNKNOWN), "unknown");
	assert_string_equal(container_runtime_name((enum container_runtime)99), "unknown");
	assert_string_equal(container_runtime_name((enum container_runtime)-1), "unknown");
}

/* ---- cache, against this machine's cgroup2 hierarchy ---------------- */

/* snprintf that fails the test instead of cutting. */
static void __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < size);
}

struct fixture {
	struct container_cache *cache;
	char dir[PATH_MAX];	/* <root>/vigil-test-<pid> */
	char rel[PATH_MAX];	/* the same, relative to the root */
	char runc_dir[PATH_MAX];
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	/* cgroup control files cannot be removed; their directory can */
	remove(path);
	return 0;
}

static void rm_tree(const char *path)
{
	if (path[0])
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int cache_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	if (geteuid() != 0)
		return 0;
	strcpy(f->runc_dir, "/tmp/vigil-runc-XXXXXX");
	if (!mkdtemp(f->runc_dir))
		return -1;
	f->cache = container_cache_new(NULL, f->runc_dir);
	if (!f->cache || !container_cache_root(f->cache)[0])
		return 0;
	fmt(f->rel, sizeof(f->rel), "/vigil-test-%d", (int)getpid());
	fmt(f->dir, sizeof(f->dir), "%s%s", container_cache_root(f->cache), f->rel);
	return mkdir(f->dir, 0755) ? -1 : 0;
}

static int cache_teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->dir);
	rm_tree(f->runc_dir);
	container_cache_free(f->cache);
	free(f);
	return 0;
}

/* The fixture's cgroup dir; fails the test when not root or without cgroup2. */
static struct fixture *need_cgroup(void **state)
{
	struct fixture *f = *state;

	if (!f->dir[0])
		fail_msg("these tests need root and a cgroup2 mount");
	return f;
}

/* mkdir <fixture dir>/<sub> and return its cgroup id. */
static uint64_t make_cgroup(struct fixture *f, const char *sub)
{
	char p[PATH_MAX];
	struct stat st;

	fmt(p, sizeof(p), "%s/%s", f->dir, sub);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

static uint64_t cgroup_id_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void test_cache_resolves(void **state)
{
	struct fixture *f = need_cgroup(state);
	const struct container_info *info, *again;
	uint64_t id = cgroup_id_of(f->dir);

	info = container_lookup(f->cache, id);
	assert_true(info->resolved);
	assert_int_equal(info->cgroup_id, id);
	assert_string_equal(info->cgroup_path, f->rel);
	assert_int_equal(info->ref.runtime, CRT_HOST);
	assert_int_equal(container_cache_size(f->cache), 1);

	again = container_lookup(f->cache, id);
	assert_ptr_equal(again, info);
	assert_int_equal(container_cache_size(f->cache), 1);

	info = container_lookup(f->cache, 1);
	assert_true(info->resolved);
	assert_string_equal(info->cgroup_path, "/");
	assert_int_equal(info->ref.runtime, CRT_HOST);
	assert_int_equal(container_cache_size(f->cache), 2);
}

static void test_cache_container_shapes(void **state)
{
	struct fixture *f = need_cgroup(state);
	const struct container_info *info;
	uint64_t id;

	id = make_cgroup(f, "docker-" ID ".scope");
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_DOCKER);
	assert_string_equal(info->ref.id, ID);

	make_cgroup(f, "kubepods.slice");
	make_cgroup(f, "kubepods.slice/kubepods-pod" UID_ ".slice");
	id = make_cgroup(f, "kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID2 ".scope");
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_CONTAINERD);
	assert_string_equal(info->ref.id, ID2);
	assert_string_equal(info->ref.pod_uid, UID);
	assert_string_equal(info->ref.qos, "guaranteed");
}

static void make_runc_state(struct fixture *f, const char *name)
{
	char p[PATH_MAX];
	int fd;

	fmt(p, sizeof(p), "%s/%s", f->runc_dir, name);
	assert_int_equal(mkdir(p, 0700), 0);
	fmt(p, sizeof(p), "%s/%s/state.json", f->runc_dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{}\n", 3), 3);
	close(fd);
}

static void write_state(struct fixture *f, const char *name, const char *json)
{
	char p[PATH_MAX];
	FILE *out;

	fmt(p, sizeof(p), "%s/%s", f->runc_dir, name);
	assert_int_equal(mkdir(p, 0700), 0);
	fmt(p, sizeof(p), "%s/%s/state.json", f->runc_dir, name);
	out = fopen(p, "w");
	assert_non_null(out);
	fputs(json, out);
	fclose(out);
}

/* config.rootfs and created of runc's state.json, as runc writes it (one
 * line of JSON, nanoseconds cut of trailing zeros); a state without them
 * is an error, a missing container is ENOENT. */
static void test_runc_rootfs(void **state)
{
	struct fixture *f = *state;
	char rootfs[PATH_MAX], small[8];
	uint64_t created = 0;

	assert_non_null(f->cache);
	write_state(f, "ctr1", "{\"id\":\"ctr1\",\"init_process_pid\":42,"
		    "\"created\":\"2026-11-25T23:04:29.04203458Z\",\"config\":{\"no_pivot_root\":"
		    "false,\"rootfs\":\"/run/ctr/ctr1/rootfs\",\"mounts\":[{\"source\":\"proc\"}]},"
		    "\"rootfs\":\"/not/this/one\"}\n");
	assert_int_equal(container_runc_rootfs(f->cache, "ctr1", rootfs, sizeof(rootfs), &created),
			 0);
	assert_string_equal(rootfs, "/run/ctr/ctr1/rootfs");
	/* date -u -d 2026-11-25T23:04:29Z +%s */
	assert_int_equal(created, 1795647869ULL * 1000000000ULL + 42034580ULL);

	assert_int_equal(container_runc_rootfs(f->cache, "ctr1", small, sizeof(small), &created),
			 -ENAMETOOLONG);
	assert_int_equal(container_runc_rootfs(f->cache, "nope", rootfs, sizeof(rootfs), &created),
			 -ENOENT);
	assert_int_equal(container_runc_rootfs(f->cache, "../ctr1", rootfs, sizeof(rootfs),
					       &created), -ENOENT);
	write_state(f, "ctr2", "{\"id\":\"ctr2\",\"config\":{}}");
	assert_int_equal(container_runc_rootfs(f->cache, "ctr2", rootfs, sizeof(rootfs), &created),
			 -EINVAL);
	write_state(f, "ctr3", "{\"created\":\"yesterday\",\"config\":{\"rootfs\":\"/r\"}}");
	assert_int_equal(container_runc_rootfs(f->cache, "ctr3", rootfs, sizeof(rootfs), &created),
			 -EINVAL);
}

static void test_rfc3339(void **state)
{
	uint64_t ns;

	assert_int_equal(container_parse_rfc3339("1970-01-01T00:00:01Z", &ns), 0);
	assert_int_equal(ns, 1000000000ULL);
	assert_int_equal(container_parse_rfc3339("1970-01-01T01:00:01.5+01:00", &ns), 0);
	assert_int_equal(ns, 1500000000ULL);
	assert_int_equal(container_parse_rfc3339("1970-01-01T00:00:01.123456789123Z", &ns), 0);
	assert_int_equal(ns, 1123456789ULL);
	assert_int_equal(container_parse_rfc3339("1970-01-01T00:00:01", &ns), -EINVAL);
	assert_int_equal(container_parse_rfc3339("", &ns), -EINVAL);
}

static void test_cache_runc(void **state)
{
	struct fixture *f = need_cgroup(state);
	const struct container_info *info;
	char leaf[64], sub[128];
	uint64_t id;

	fmt(leaf, sizeof(leaf), "vigil-runc-%d", (int)getpid());
	make_runc_state(f, leaf);

	id = make_cgroup(f, leaf);
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_RUNC);
	assert_string_equal(info->ref.id, leaf);

	/* a cgroup the container made below its own: found through the parent */
	fmt(sub, sizeof(sub), "%s/worker", leaf);
	id = make_cgroup(f, sub);
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_RUNC);
	assert_string_equal(info->ref.id, leaf);

	/* no state.json: the host */
	id = make_cgroup(f, "vigil-not-runc");
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_HOST);
	assert_string_equal(info->ref.id, "");
	assert_true(info->runc_pending);

	/* runc writes its state after joining the cgroup: the exec recheck
	 * turns the cached host entry into the container */
	make_runc_state(f, "vigil-not-runc");
	container_recheck_pending(f->cache, id);
	info = container_lookup(f->cache, id);
	assert_int_equal(info->ref.runtime, CRT_RUNC);
	assert_string_equal(info->ref.id, "vigil-not-runc");
	assert_false(info->runc_pending);

	/* systemd units are never plain runc: no rechecks for them */
	id = make_cgroup(f, "vigil-unit.service");
	assert_false(container_lookup(f->cache, id)->runc_pending);
}

/* A runc container whose state directory is already gone is still known by
 * the id runc was started with. */
static void test_cache_runc_argv(void **state)
{
	struct fixture *f = need_cgroup(state);
	static const char argv1[] = "runc\0--root\0/x\0run\0--bundle\0/b\0-d\0vgl-argv-a";
	static const char argv2[] = "runc\0state\0vgl-argv-b";
	static const char argv3[] = "runc\0create\0--bundle\0vgl-argv-c";
	uint64_t a, b, cid;

	a = make_cgroup(f, "vgl-argv-a");
	b = make_cgroup(f, "vgl-argv-b");
	cid = make_cgroup(f, "vgl-argv-c");
	container_note_runc_argv(f->cache, argv1, sizeof(argv1));
	container_note_runc_argv(f->cache, argv2, sizeof(argv2));	/* not run/create */
	container_note_runc_argv(f->cache, argv3, sizeof(argv3));	/* a bundle, no id */
	assert_int_equal(container_lookup(f->cache, a)->ref.runtime, CRT_RUNC);
	assert_string_equal(container_lookup(f->cache, a)->ref.id, "vgl-argv-a");
	assert_int_equal(container_lookup(f->cache, b)->ref.runtime, CRT_HOST);
	assert_int_equal(container_lookup(f->cache, cid)->ref.runtime, CRT_HOST);
}

static void test_cache_unresolvable(void **state)
{
	struct fixture *f = need_cgroup(state);
	const struct container_info *info, *again;
	uint64_t bogus = (1ULL << 60) | 12345;

	info = container_lookup(f->cache, bogus);
	assert_non_null(info);
	assert_false(info->resolved);
	assert_int_equal(info->ref.runtime, CRT_UNKNOWN);
	assert_string_equal(info->cgroup_path, "");
	assert_int_equal(container_cache_size(f->cache), 1);

	again = container_lookup(f->cache, bogus);
	assert_ptr_equal(again, info);
	assert_int_equal(container_cache_size(f->cache), 1);

	container_cache_forget(f->cache, bogus);
	container_cache_forget(f->cache, bogus);
	assert_int_equal(container_cache_size(f->cache), 0);
}

/*
 * Fill the cache past its bound: it stays at the bound and evicts the least
 * recently used entry. A removed cgroup still answering from the cache
 * proves a hit resolves nothing.
 */
static void test_cache_bounded(void **state)
{
	struct fixture *f = need_cgroup(state);
	const struct container_info *info;
	uint64_t bogus = 1ULL << 60, id;
	char p[PATH_MAX];

	id = make_cgroup(f, "vigil-lru");
	assert_true(container_lookup(f->cache, id)->resolved);
	for (uint64_t i = 1; i < CONTAINER_CACHE_MAX; i++)
		container_lookup(f->cache, bogus + i);
	assert_int_equal(container_cache_size(f->cache), CONTAINER_CACHE_MAX);

	assert_true(container_lookup(f->cache, id)->resolved);	/* now most recent */
	container_lookup(f->cache, bogus + CONTAINER_CACHE_MAX);
	container_lookup(f->cache, bogus + CONTAINER_CACHE_MAX + 1);
	assert_int_equal(container_cache_size(f->cache), CONTAINER_CACHE_MAX);

	fmt(p, sizeof(p), "%s/vigil-lru", f->dir);
	assert_int_equal(rmdir(p), 0);
	info = container_lookup(f->cache, id);
	assert_true(info->resolved);
	fmt(p, sizeof(p), "%s/vigil-lru", f->rel);
	assert_string_equal(info->cgroup_path, p);

	container_cache_forget(f->cache, id);
	assert_false(container_lookup(f->cache, id)->resolved);
	assert_int_equal(container_cache_size(f->cache), CONTAINER_CACHE_MAX);
}

static int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Child side of the walk test: 0 when the walk found the path. */
static int walk_child(struct fixture *f, uint64_t id, const char *want)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = 0xfe } };
	const struct container_info *info;
	struct container_cache *c;
	int root, fd;

	if (drop_effective_cap(CAP_DAC_READ_SEARCH))
		return 2;
	/* make sure handles really fail, or this tests nothing */
	memcpy(h.fh.f_handle, &id, sizeof(id));
	root = open(container_cache_root(f->cache), O_RDONLY | O_DIRECTORY);
	fd = open_by_handle_at(root, &h.fh, O_PATH);
	if (fd >= 0 || errno != EPERM)
		return 3;
	close(root);
	c = container_cache_new(NULL, f->runc_dir);
	if (!c)
		return 4;
	info = container_lookup(c, id);
	if (!info->resolved || strcmp(info->cgroup_path, want) ||
	    info->ref.runtime != CRT_PODMAN || strcmp(info->ref.id, ID))
		return 5;
	info = container_lookup(c, (1ULL << 60) | 7);
	if (info->resolved)
		return 6;
	container_cache_free(c);
	return 0;
}

/* Without CAP_DAC_READ_SEARCH open_by_handle_at() fails: the walk must answer. */
static void test_cache_walk_fallback(void **state)
{
	struct fixture *f = need_cgroup(state);
	char want[PATH_MAX];
	uint64_t id;
	int status;
	pid_t pid;

	make_cgroup(f, "machine.slice");
	id = make_cgroup(f, "machine.slice/libpod-" ID ".scope");
	fmt(want, sizeof(want), "%s/machine.slice/libpod-" ID ".scope", f->rel);

	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(walk_child(f, id, want));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_cache_bad_root(void **state)
{
	char dir[] = "/tmp/vigil-notcg-XXXXXX";

	assert_non_null(mkdtemp(dir));
	assert_null(container_cache_new(dir, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(container_cache_new("/nonexistent/vigil", NULL));
	assert_int_equal(errno, ENOENT);
	rmdir(dir);
}


/* ---- runtime metadata: each runtime's files, under a temporary host root ---- */

struct meta_fixture {
	char root[64];			/* the host root */
	struct runtime_paths paths;
};

/* Write text to root + rel, creating the directories on the way. */
static void put_file(const struct meta_fixture *m, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	fmt(path, sizeof(path), "%s%s", m->root, rel);
	for (char *p = path + strlen(m->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int meta_setup(void **state)
{
	struct meta_fixture *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	strcpy(m->root, "/tmp/vigil-host-XXXXXX");
	if (!mkdtemp(m->root))
		return -1;
	runtime_paths_default(&m->paths);
	assert_int_equal(runtime_paths_set(&m->paths, "host_root", m->root), 0);
	*state = m;
	return 0;
}

static int meta_teardown(void **state)
{
	struct meta_fixture *m = *state;

	rm_tree(m->root);
	free(m);
	return 0;
}

static void read_meta(const struct meta_fixture *m, enum container_runtime rt, const char *id,
		      struct container_meta *out, int want)
{
	struct container_ref ref = { .runtime = rt };

	snprintf(ref.id, sizeof(ref.id), "%s", id);
	assert_int_equal(runtime_meta_read(&m->paths, &ref, out), want);
}

/* containerd's CRI annotations; the spec indented with tabs as Go's
 * MarshalIndent may write it (YAML refuses tabs: the reader must not). */
static void test_meta_containerd(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	put_file(m, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/config.json",
		 "{\n\t\"ociVersion\": \"1.1.0\",\n\t\"annotations\": {\n"
		 "\t\t\"io.kubernetes.cri.container-type\": \"container\",\n"
		 "\t\t\"io.kubernetes.cri.sandbox-name\": \"web-1\",\n"
		 "\t\t\"io.kubernetes.cri.sandbox-namespace\": \"prod\",\n"
		 "\t\t\"io.kubernetes.cri.sandbox-uid\": \"" UID "\",\n"
		 "\t\t\"io.kubernetes.cri.container-name\": \"nginx\",\n"
		 "\t\t\"io.kubernetes.cri.image-name\": \"docker.io/library/nginx:1.25\"\n\t}\n}\n");
	read_meta(m, CRT_CONTAINERD, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_CONTAINERD);
	assert_string_equal(meta.name, "nginx");
	assert_string_equal(meta.pod_name, "web-1");
	assert_string_equal(meta.pod_namespace, "prod");
	assert_string_equal(meta.pod_uid, UID);
	assert_string_equal(meta.image, "docker.io/library/nginx:1.25");
	assert_false(meta.sandbox);
	assert_string_equal(meta.labels, "");

	/* a pod's sandbox, in a namespace other than k8s.io */
	put_file(m, "/run/containerd/io.containerd.runtime.v2.task/other/" ID2 "/config.json",
		 "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		 "\"io.kubernetes.cri.sandbox-name\":\"web-1\"}}");
	read_meta(m, CRT_CONTAINERD, ID2, &meta, 0);
	assert_true(meta.sandbox);
	assert_string_equal(meta.pod_name, "web-1");
	assert_string_equal(meta.name, "");
}

/* docker's tasks under containerd ("moby"): the names are docker's own. */
static void test_meta_docker(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	put_file(m, "/var/lib/docker/containers/" ID "/config.v2.json",
		 "{\"ID\":\"" ID "\",\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx:latest\","
		 "\"Labels\":{\"com.example.team\":\"blue\",\"bad,key\":\"x\"}}}");
	read_meta(m, CRT_DOCKER, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_DOCKER);
	assert_string_equal(meta.name, "web");
	assert_string_equal(meta.image, "nginx:latest");
	assert_string_equal(meta.labels, "com.example.team:blue");

	put_file(m, "/run/containerd/io.containerd.runtime.v2.task/moby/" ID "/config.json",
		 "{\"annotations\":{}}");
	read_meta(m, CRT_CONTAINERD, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_DOCKER);
	assert_string_equal(meta.name, "web");

	/* Kubernetes through dockershim: the pod is in the labels */
	put_file(m, "/var/lib/docker/containers/" ID2 "/config.v2.json",
		 "{\"Name\":\"/k8s_api_api-7_dev_" UID "_0\",\"Config\":{\"Image\":\"api:2\","
		 "\"Labels\":{\"io.kubernetes.pod.name\":\"api-7\","
		 "\"io.kubernetes.pod.namespace\":\"dev\",\"io.kubernetes.container.name\":\"api\"}}}");
	read_meta(m, CRT_DOCKER, ID2, &meta, 0);
	assert_string_equal(meta.name, "api");
	assert_string_equal(meta.pod_name, "api-7");
	assert_string_equal(meta.pod_namespace, "dev");
	assert_string_equal(meta.labels, "");
}

/* CRI-O: who from the container's Labels annotation, pod labels from its sandbox. */
static void test_meta_crio(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	put_file(m, "/run/containers/storage/overlay-containers/" ID2 "/userdata/config.json",
		 "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
		 "\"io.kubernetes.cri-o.Labels\":\"{\\\"app\\\":\\\"shop\\\",\\\"tier\\\":\\\"front\\\","
		 "\\\"io.kubernetes.pod.name\\\":\\\"shop-0\\\"}\"}}");
	put_file(m, "/run/containers/storage/overlay-containers/" ID "/userdata/config.json",
		 "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"container\","
		 "\"io.kubernetes.cri-o.SandboxID\":\"" ID2 "\","
		 "\"io.kubernetes.cri-o.ImageName\":\"quay.io/shop/cart:3\","
		 "\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.container.name\\\":\\\"cart\\\","
		 "\\\"io.kubernetes.pod.name\\\":\\\"shop-0\\\","
		 "\\\"io.kubernetes.pod.namespace\\\":\\\"prod\\\","
		 "\\\"io.kubernetes.pod.uid\\\":\\\"" UID "\\\"}\"}}");
	read_meta(m, CRT_CRIO, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_CRIO);
	assert_string_equal(meta.name, "cart");
	assert_string_equal(meta.pod_name, "shop-0");
	assert_string_equal(meta.pod_namespace, "prod");
	assert_string_equal(meta.pod_uid, UID);
	assert_string_equal(meta.image, "quay.io/shop/cart:3");
	assert_string_equal(meta.labels, "app:shop,tier:front");

	/* the sandbox itself: its own labels are the pod's too */
	read_meta(m, CRT_CRIO, ID2, &meta, 0);
	assert_true(meta.sandbox);
	assert_string_equal(meta.pod_name, "shop-0");

	/* a kubepods cgroupfs path names no runtime: CRI-O's state answers */
	read_meta(m, CRT_UNKNOWN, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_CRIO);
	assert_string_equal(meta.name, "cart");
}

/* podman: names and image from containers/storage's list. */
static void test_meta_podman(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	put_file(m, "/var/lib/containers/storage/overlay-containers/containers.json",
		 "[{\"id\":\"" ID2 "\",\"names\":[\"other\"],\"metadata\":\"{}\"},"
		 "{\"id\":\"" ID "\",\"names\":[\"db\"],\"image\":\"5ab1\","
		 "\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/postgres:16\\\","
		 "\\\"name\\\":\\\"db\\\"}\"}]");
	read_meta(m, CRT_PODMAN, ID, &meta, 0);
	assert_int_equal(meta.runtime, CRT_PODMAN);
	assert_string_equal(meta.name, "db");
	assert_string_equal(meta.image, "docker.io/library/postgres:16");
	read_meta(m, CRT_PODMAN, "0123", &meta, -ENOENT);
}

/* runc keeps the bundle's annotations in its state as "key=value" labels;
 * crun's status names the bundle. */
static void test_meta_runc_crun(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	put_file(m, "/run/runc/box/state.json",
		 "{\"id\":\"box\",\"config\":{\"labels\":[\"io.kubernetes.pod.name=p=1\","
		 "\"io.kubernetes.pod.namespace=ns\",\"bundle=/srv/box\"]}}");
	read_meta(m, CRT_RUNC, "box", &meta, 0);
	assert_int_equal(meta.runtime, CRT_RUNC);
	assert_string_equal(meta.pod_name, "p=1");
	assert_string_equal(meta.pod_namespace, "ns");

	put_file(m, "/srv/crunbox/config.json",
		 "{\"annotations\":{\"io.kubernetes.container.name\":\"c1\"}}");
	put_file(m, "/run/crun/" ID "/status", "{\"pid\":1,\"bundle\":\"/srv/crunbox\"}");
	read_meta(m, CRT_UNKNOWN, ID, &meta, 0);
	assert_string_equal(meta.name, "c1");
}

static void test_meta_missing_and_bad(void **state)
{
	struct meta_fixture *m = *state;
	struct container_meta meta;

	read_meta(m, CRT_CONTAINERD, ID, &meta, -ENOENT);
	read_meta(m, CRT_UNKNOWN, ID, &meta, -ENOENT);
	read_meta(m, CRT_CONTAINERD, "..", &meta, -ENOENT);
	read_meta(m, CRT_CONTAINERD, "", &meta, -ENOENT);
	put_file(m, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/config.json",
		 "{\"annotations\": [unclosed");
	read_meta(m, CRT_CONTAINERD, ID, &meta, -EINVAL);
	assert_string_equal(meta.name, "");
	/* nspawn: the machine name is all there is */
	read_meta(m, CRT_NSPAWN, "debian", &meta, 0);
	assert_string_equal(meta.name, "debian");
}

static void test_meta_labels_and_paths(void **state)
{
	struct container_meta meta = { 0 };
	struct runtime_paths p;
	char big[CONTAINER_LABELS_LEN];

	container_meta_add_label(&meta, "app", "web");
	container_meta_add_label(&meta, "a:b", "x");		/* ':' in a key: ambiguous */
	container_meta_add_label(&meta, "k", "v,w");		/* ',' in a value: ambiguous */
	container_meta_add_label(&meta, "url", "http://x");	/* ':' in a value is fine */
	assert_string_equal(meta.labels, "app:web,url:http://x");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	container_meta_add_label(&meta, "big", big);		/* does not fit: left out */
	assert_string_equal(meta.labels, "app:web,url:http://x");

	runtime_paths_default(&p);
	assert_string_equal(p.containerd, "/run/containerd");
	assert_string_equal(p.host_root, "");
	assert_int_equal(runtime_paths_set(&p, "host_root", "/host/"), 0);
	assert_string_equal(p.host_root, "/host");
	assert_int_equal(runtime_paths_set(&p, "host_root", "/"), 0);
	assert_string_equal(p.host_root, "");
	assert_int_equal(runtime_paths_set(&p, "crio", "relative"), -EINVAL);
	assert_int_equal(runtime_paths_set(&p, "nope", "/x"), -ENOENT);
}

static int ready_calls;
static uint64_t ready_id;

static void count_ready(void *ctx, const struct container_info *ci)
{
	ready_calls++;
	ready_id = ci->cgroup_id;
}

/* The cache asks the resolver thread at mkdir; collect applies the answer. */
static void test_meta_cache_resolver(void **state)
{
	struct meta_fixture *m = *state;
	struct container_opts o;
	struct container_cache *c;
	const struct container_info *ci;
	const char *path = "/kubepods/besteffort/pod" UID "/" ID;

	put_file(m, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/config.json",
		 "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"web-1\","
		 "\"io.kubernetes.cri.sandbox-namespace\":\"prod\"}}");
	container_opts_default(&o);
	o.paths = m->paths;
	c = container_cache_open(&o);
	assert_non_null(c);
	container_cache_note_mkdir(c, 0x7fff0001, path, strlen(path), 42, "runc", 1000);
	ci = container_peek(c, 0x7fff0001);
	assert_non_null(ci);
	assert_int_equal(ci->ref.runtime, CRT_CONTAINERD);
	assert_int_equal(ci->start_reason, VGL_CTR_CREATED);
	assert_int_equal(ci->creator_pid, 42);
	assert_true(ci->meta_state == CMETA_PENDING || ci->meta_state == CMETA_DONE);
	/* a host cgroup is never asked about */
	container_cache_note_mkdir(c, 0x7fff0002, "/system.slice/x.service", 23, 1, "systemd", 1);
	assert_int_equal(container_peek(c, 0x7fff0002)->meta_state, CMETA_NONE);

	assert_true(container_cache_wait_idle(c, 5000) || container_cache_has_results(c));
	ready_calls = 0;
	assert_int_equal(container_cache_collect(c, count_ready, NULL), 1);
	assert_int_equal(ready_calls, 1);
	assert_true(ready_id == 0x7fff0001);
	ci = container_peek(c, 0x7fff0001);
	assert_int_equal(ci->meta_state, CMETA_DONE);
	assert_non_null(ci->meta);
	assert_string_equal(ci->meta->pod_name, "web-1");
	assert_string_equal(ci->meta->pod_namespace, "prod");
	assert_string_equal(ci->meta->pod_uid, UID);	/* from the path */
	assert_true(container_mark_started(c, 0x7fff0001));
	assert_false(container_mark_started(c, 0x7fff0001));

	/* an answer for a forgotten cgroup is dropped */
	container_cache_note_mkdir(c, 0x7fff0003, path, strlen(path), 42, "runc", 1000);
	container_cache_forget(c, 0x7fff0003);
	assert_true(container_cache_wait_idle(c, 5000) || container_cache_has_results(c));
	assert_int_equal(container_cache_collect(c, count_ready, NULL), 0);
	assert_null(container_peek(c, 0x7fff0003));
	container_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_crio),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_nspawn_and_runc),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_runtime_names),
		cmocka_unit_test(test_cache_bad_root),
		cmocka_unit_test_setup_teardown(test_cache_resolves, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_container_shapes, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_runc, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_runc_rootfs, cache_setup, cache_teardown),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test_setup_teardown(test_cache_runc_argv, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_unresolvable, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_bounded, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_walk_fallback, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_meta_containerd, meta_setup, meta_teardown),
		cmocka_unit_test_setup_teardown(test_meta_docker, meta_setup, meta_teardown),
		cmocka_unit_test_setup_teardown(test_meta_crio, meta_setup, meta_teardown),
		cmocka_unit_test_setup_teardown(test_meta_podman, meta_setup, meta_teardown),
		cmocka_unit_test_setup_teardown(test_meta_runc_crun, meta_setup, meta_teardown),
		cmocka_unit_test_setup_teardown(test_meta_missing_and_bad, meta_setup,
						meta_teardown),
		cmocka_unit_test(test_meta_labels_and_paths),
		cmocka_unit_test_setup_teardown(test_meta_cache_resolver, meta_setup,
						meta_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
