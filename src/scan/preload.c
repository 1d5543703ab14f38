// SPDX-License-Identifier: GPL-2.0
/*
 * preload.c - userland rootkits: /etc/ld.so.preload (every dynamically
 * linked program loads what it names), LD_PRELOAD in the environment of
 * long-running processes, and executable mappings of deleted files or of
 * files in /tmp, /var/tmp or /dev/shm (an injected library).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scan/scan_int.h"
#include "scan/scan_iter.h"

#define PRELOAD_MAX	(64 * 1024)

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = VGL_FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * VGL_FNV_PRIME;
	return h ? h : 1;	/* 0 means "absent" */
}

/* The libraries the file names (whitespace separated, # starts a comment). */
static void preload_libraries(const char *text, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (const char *p = text; *p;) {
		size_t ws = strspn(p, " \t\r\n:"), len;

		p += ws;
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		len = strcspn(p, " \t\r\n:");
		if (!len)
			break;
		if (o + len + 2 < cap)
			o += snprintf(out + o, cap - o, "%s%.*s", o ? " " : "", (int)len, p);
		p += len;
	}
}

void scan_check_ld_so_preload(struct scan_ctx *c, struct scan_check_result *res)
{
	const char *path = c->o->preload_path ? c->o->preload_path : "/etc/ld.so.preload";
	struct scan_state *st = c->o->state;
	struct scan_finding f = { .check = VGL_SCAN_LD_SO_PRELOAD };
	char *text = malloc(PRELOAD_MAX), libs[SCAN_DETAIL_MAX - 64];
	ssize_t n;
	uint64_t hash;

	if (!text) {
		scan_status(res, SCAN_FAILED, "out of memory");
		return;
	}
	n = scan_read_file(path, text, PRELOAD_MAX);
	res->examined = 1;
	if (n < 0 && n != -ENOENT) {
		scan_status(res, SCAN_FAILED, "cannot read %s: %s", path, strerror((int)-n));
		goto out;
	}
	hash = n < 0 ? 0 : fnv1a(text, n);
	if (st && st->preload_known && st->preload_hash != hash)
		f.flags |= VGL_SCAN_F_CHANGED;
	if (st) {
		st->preload_known = true;
		st->preload_hash = hash;
	}
	if (n < 0 && !(f.flags & VGL_SCAN_F_CHANGED))
		goto out;
	snprintf(f.subject, sizeof(f.subject), "%s", path);
	if (n < 0) {
		snprintf(f.detail, sizeof(f.detail), "%s was removed since the previous scan", path);
	} else {
		preload_libraries(text, libs, sizeof(libs));
		snprintf(f.detail, sizeof(f.detail), "%s %s, preloading: %s", path,
			 f.flags & VGL_SCAN_F_CHANGED ? "changed" : "exists",
			 libs[0] ? libs : "(nothing)");
	}
	scan_emit(c, SCAN_CHK_LD_SO_PRELOAD, &f);
out:
	free(text);
}

/* ---- per process: environment and mappings ---- */

static void fill_task(struct scan_ctx *c, struct scan_finding *f, uint32_t pid)
{
	const struct scan_task *t = scan_task_find(c, pid);

	f->pid = pid;
	if (t) {
		memcpy(f->comm, t->comm, sizeof(f->comm));
		f->start_ns = t->start_ns;
	}
}

/* LD_PRELOAD=... in a NUL-separated environment block, or NULL. */
static const char *env_ld_preload(const char *env, size_t len, size_t *vlen)
{
	for (size_t off = 0; off < len;) {
		const char *e = env + off;
		size_t n = strnlen(e, len - off);

		if (n > 11 && !memcmp(e, "LD_PRELOAD=", 11)) {
			*vlen = n - 11;
			return e + 11;
		}
		off += n + 1;
	}
	return NULL;
}

static void check_environ(struct scan_ctx *c, uint32_t pid, char *buf, size_t cap)
{
	const struct scan_task *t = scan_task_find(c, pid);
	uint64_t min_age = (uint64_t)(c->o->preload_min_age_s ? c->o->preload_min_age_s : 60) *
			   1000000000ULL;
	char path[64];
	const char *v;
	size_t vlen;
	ssize_t n;

	/* young processes: build tools, sanitizers and fakeroot preload legitimately */
	if (!t || (t->flags & SCAN_PF_KTHREAD) || t->start_ns + min_age > c->boot_now_ns)
		return;
	snprintf(path, sizeof(path), "%s/%u/environ", c->proc, pid);
	n = scan_read_file(path, buf, cap);
	if (n <= 0 || !(v = env_ld_preload(buf, n, &vlen)) || !vlen)
		return;
	struct scan_finding f = { .check = VGL_SCAN_LD_PRELOAD_ENV };

	fill_task(c, &f, pid);
	snprintf(f.subject, sizeof(f.subject), "%.*s", (int)vlen, v);
	snprintf(f.detail, sizeof(f.detail), "pid %u (%s), running for %llu s, has LD_PRELOAD=%.*s",
		 pid, f.comm, (unsigned long long)((c->boot_now_ns - t->start_ns) / 1000000000ULL),
		 (int)(vlen > 300 ? 300 : vlen), v);
	scan_emit(c, SCAN_CHK_PROCESS_MEMORY, &f);
}

static bool in_tmp_dir(const char *path)
{
	return !strncmp(path, "/tmp/", 5) || !strncmp(path, "/var/tmp/", 9) ||
	       !strncmp(path, "/dev/shm/", 9);
}

/* One finding per file per process: a library has several mappings. */
static void check_mapping(struct scan_ctx *c, uint32_t pid, const char *line, const char *exe,
			  char *last, size_t last_cap)
{
	char perms[8], path[PATH_MAX];
	unsigned long long ino;
	size_t len;
	bool deleted;
	int name_at = 0;

	if (sscanf(line, "%*s %7s %*s %*s %llu %n", perms, &ino, &name_at) < 2 ||
	    !name_at || perms[2] != 'x' || line[name_at] != '/')
		return;
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(line + name_at, "\n"), line + name_at);
	len = strlen(path);
	deleted = len > 10 && !strcmp(path + len - 10, " (deleted)");
	if (!deleted && !in_tmp_dir(path))
		return;
	if (!strcmp(path, last) || !strcmp(path, exe))
		return;
	snprintf(last, last_cap, "%s", path);
	if (deleted)
		path[len - 10] = '\0';

	struct scan_finding f = { .check = deleted ? VGL_SCAN_SO_DELETED : VGL_SCAN_SO_TMP,
				  .ino = ino };

	fill_task(c, &f, pid);
	snprintf(f.subject, sizeof(f.subject), "%s", path);
	snprintf(f.detail, sizeof(f.detail), "pid %u (%s) has %s mapped executable%s", pid, f.comm,
		 path, deleted ? " from a deleted file" : "");
	scan_emit(c, SCAN_CHK_PROCESS_MEMORY, &f);
}

/* The executable's own mappings are the executables check's business. */
static void check_maps(struct scan_ctx *c, uint32_t pid, FILE *maps)
{
	char line[PATH_MAX + 128], last[PATH_MAX] = "", exe[PATH_MAX], path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/exe", c->proc, pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	while (fgets(line, sizeof(line), maps))
		check_mapping(c, pid, line, exe, last, sizeof(last));
}

void scan_check_process_memory(struct scan_ctx *c, struct scan_check_result *res)
{
	size_t cap = 256 * 1024;
	char *env = malloc(cap), path[64];

	if (!env || !c->pids) {
		scan_status(res, SCAN_FAILED, env ? "cannot list %s" : "out of memory", c->proc);
		free(env);
		return;
	}
	for (size_t i = 0; i < c->npids; i++) {
		uint32_t pid = c->pids[i];
		FILE *maps;

		if (pid == (uint32_t)c->self)
			continue;
		check_environ(c, pid, env, cap);
		snprintf(path, sizeof(path), "%s/%u/maps", c->proc, pid);
		maps = fopen(path, "re");
		if (!maps)
			continue;	/* exited, or a kernel thread */
		res->examined++;
		check_maps(c, pid, maps);
		fclose(maps);
	}
	free(env);
}
