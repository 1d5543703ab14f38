// SPDX-License-Identifier: GPL-2.0
/* fanfacts.c - see fanfacts.h. Mirrors what src/bpf/process.bpf.c computes
 * at sched_process_exec, so that userspace and the kernel agree on a fact
 * whenever userspace claims to know it. */
#include <string.h>
#include <sys/sysmacros.h>
#include "respond/fanfacts.h"

#define FACT(f)	(1ULL << (f))

uint32_t fan_kdev(dev_t dev)
{
	return (uint32_t)(major(dev) << 20 | (minor(dev) & 0xfffff));
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool fan_path_in_tmpdir(const char *path)
{
	return starts_with(path, "/tmp/") || starts_with(path, "/dev/shm/") ||
	       starts_with(path, "/var/tmp/") || starts_with(path, "/run/");
}

void fan_comm_of_path(const char *path, char comm[VGL_COMM_LEN])
{
	const char *slash = strrchr(path, '/');

	memset(comm, 0, VGL_COMM_LEN);
	strncpy(comm, slash ? slash + 1 : path, VGL_COMM_LEN - 1);
}

const char *fan_path_in_root(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n))
		return NULL;
	if (path[n] == '\0')
		return "/";
	return path[n] == '/' ? path + n : NULL;
}

bool fan_prefix_dir(const char *prefix, size_t len, char *out, size_t size)
{
	/* the directory part: up to the last '/', which a "startswith /d/"
	 * prefix ends with and an exact path or partial name has before it */
	while (len > 0 && prefix[len - 1] != '/')
		len--;
	while (len > 1 && prefix[len - 1] == '/')
		len--;
	if (len <= 1 || prefix[0] != '/' || len >= size)
		return false;
	memcpy(out, prefix, len);
	out[len] = '\0';
	return true;
}

static void tri_fact(enum fan_tri v, enum vgl_fact f, uint64_t *facts, uint64_t *known)
{
	if (v == FAN_UNKNOWN)
		return;
	*known |= FACT(f);
	if (v == FAN_YES)
		*facts |= FACT(f);
}

static bool is_memfd_path(const char *path)
{
	return starts_with(path, "/memfd:");
}

/* Facts about the executed inode; for a script they describe the
 * interpreter in the kernel, so only a known non-script has them. */
static void inode_facts(const struct fan_obs *o, uint64_t *facts, uint64_t *known)
{
	const struct stat *st = &o->st;
	uint64_t ctime_ns;

	if (!o->have_stat || o->script != FAN_NO)
		return;
	*known |= FACT(VGL_FACT_DELETED) | FACT(VGL_FACT_SETUID);
	if (st->st_nlink == 0)
		*facts |= FACT(VGL_FACT_DELETED);
	if (st->st_mode & (S_ISUID | S_ISGID))
		*facts |= FACT(VGL_FACT_SETUID);
	if (o->fs_type) {
		*known |= FACT(VGL_FACT_TMPFS);
		if (o->fs_type == TMPFS_MAGIC)
			*facts |= FACT(VGL_FACT_TMPFS);
		/* the upper layer is an overlayfs notion: elsewhere it is known false */
		if (o->fs_type != OVERLAYFS_SUPER_MAGIC)
			*known |= FACT(VGL_FACT_UPPER_LAYER);
	}
	if (o->path) {
		*known |= FACT(VGL_FACT_MEMFD);
		if (is_memfd_path(o->path))
			*facts |= FACT(VGL_FACT_MEMFD);
	}
	/* The kernel also counts writes it saw in its written-inode map; a
	 * change always moves ctime too (utimes cannot set it back), so
	 * ctime alone says yes where the map would. */
	if (o->written_ref_ns) {
		ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000ULL + st->st_ctim.tv_nsec;
		*known |= FACT(VGL_FACT_WRITTEN);
		if (ctime_ns > o->written_ref_ns)
			*facts |= FACT(VGL_FACT_WRITTEN);
	}
}

/* The effective uid after the exec: a setuid file changes it. */
static enum fan_tri euid0_after(const struct fan_obs *o)
{
	if (!o->have_stat || (o->st.st_mode & S_ISUID) || o->script != FAN_NO)
		return FAN_UNKNOWN;
	return o->euid0;
}

uint64_t fan_fixed_facts(const struct fan_obs *o, uint64_t *known)
{
	uint64_t facts = 0;

	*known = 0;
	inode_facts(o, &facts, known);
	if (o->path) {
		*known |= FACT(VGL_FACT_EXE_IN_TMP);
		if (fan_path_in_tmpdir(o->path))
			facts |= FACT(VGL_FACT_EXE_IN_TMP);
	}
	tri_fact(o->script, VGL_FACT_SCRIPT, &facts, known);
	tri_fact(o->outside_root, VGL_FACT_OUTSIDE_ROOT, &facts, known);
	tri_fact(o->in_container, VGL_FACT_IN_CONTAINER, &facts, known);
	tri_fact(o->stdio_socket[0], VGL_FACT_STDIN_SOCKET, &facts, known);
	tri_fact(o->stdio_socket[1], VGL_FACT_STDOUT_SOCKET, &facts, known);
	tri_fact(o->stdio_socket[2], VGL_FACT_STDERR_SOCKET, &facts, known);
	tri_fact(o->execer_protected, VGL_FACT_EXECER_PROTECTED, &facts, known);
	tri_fact(euid0_after(o), VGL_FACT_EUID0, &facts, known);
	/* LD_PRELOAD is in the new environment, which only the kernel sees */
	return facts;
}

uint32_t fan_exec_flags(const struct fan_obs *o)
{
	uint64_t known, facts = fan_fixed_facts(o, &known);
	static const struct { enum vgl_fact fact; uint32_t flag; } map[] = {
		{ VGL_FACT_MEMFD, VGL_EXEC_MEMFD },
		{ VGL_FACT_DELETED, VGL_EXEC_DELETED },
		{ VGL_FACT_TMPFS, VGL_EXEC_TMPFS },
		{ VGL_FACT_EXE_IN_TMP, VGL_EXEC_TMPDIR },
		{ VGL_FACT_WRITTEN, VGL_EXEC_WRITTEN },
		{ VGL_FACT_SETUID, VGL_EXEC_SETUID },
		{ VGL_FACT_SCRIPT, VGL_EXEC_SCRIPT },
		{ VGL_FACT_OUTSIDE_ROOT, VGL_EXEC_OUTSIDE_ROOT },
		{ VGL_FACT_EXECER_PROTECTED, VGL_EXEC_EXECER_PROTECTED },
	};
	uint32_t flags = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (facts & FACT(map[i].fact))
			flags |= map[i].flag;
	return flags;
}

size_t fan_record_build(void *buf, size_t size, const struct vgl_hdr *hdr,
			const struct vgl_exec *x, const char *const strs[VGL_MAX_STRS])
{
	size_t off = sizeof(*hdr) + sizeof(*x);
	uint8_t *p = buf;
	struct vgl_hdr *h = buf;

	/* the header's u16 size bounds the record */
	if (size > UINT16_MAX)
		size = UINT16_MAX;
	if (size < off + VGL_MAX_STRS * sizeof(uint16_t))
		return 0;
	memcpy(p, hdr, sizeof(*hdr));
	memcpy(p + sizeof(*hdr), x, sizeof(*x));
	for (int i = 0; i < VGL_MAX_STRS; i++) {
		/* room left for this string after the lengths still to come */
		size_t room = size - off - (VGL_MAX_STRS - i) * sizeof(uint16_t);
		size_t len = strs[i] ? strlen(strs[i]) : 0;
		uint16_t len16;

		if (len > room)
			len = room;
		len16 = (uint16_t)len;
		memcpy(p + off, &len16, sizeof(len16));
		if (len)
			memcpy(p + off + sizeof(len16), strs[i], len);
		off += sizeof(len16) + len;
	}
	h->type = VGL_EV_EXEC;
	h->nr_strs = VGL_MAX_STRS;
	h->size = (uint16_t)off;
	return off;
}
