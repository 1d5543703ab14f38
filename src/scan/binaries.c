// SPDX-License-Identifier: GPL-2.0
/*
 * binaries.c - processes running a deleted executable or a memfd (fileless
 * malware), processes whose name (comm) claims to be another program than
 * the one they run (masquerading), and setuid or setgid files in the
 * world-writable directories (a bounded walk of /tmp, /var/tmp, /dev/shm).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scan/scan_int.h"

/* ---- masquerading ---- */

/* Names of kernel threads: a user process never has one. */
static bool kthread_like(const char *comm)
{
	static const char *const prefixes[] = {
		"kworker/", "ksoftirqd/", "migration/", "kthreadd", "rcu_", "watchdog/",
		"cpuhp/", "irq/", "jbd2/", "kswapd", "kcompactd", "khugepaged", "kauditd",
		"kblockd", "writeback", "[",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(comm, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

const char *scan_masquerade_reason(const char *comm, const char *exe,
				   bool (*system_has)(void *ctx, const char *name,
						      const char *exe),
				   void *ctx)
{
	const char *base = base_of(exe);
	size_t n = strnlen(comm, VGL_COMM_LEN);

	if (!exe[0] || !n)
		return NULL;
	/* comm is the executed name cut to 15 bytes */
	if (!strncmp(base, comm, n) && (n == VGL_COMM_LEN - 1 || base[n] == '\0'))
		return NULL;
	if (kthread_like(comm))
		return "named like a kernel thread";
	/* the name of a system program that is not this executable (a symlink
	 * to it, like awk to mawk, or a script it interprets, is consistent) */
	if (system_has && system_has(ctx, comm, exe))
		return "named like a system program it is not";
	return NULL;
}

static const char *const system_dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

/* A file called name next to exe that is exe: run through a symlink in its
 * own directory (python3 -> python3.11). */
static bool sibling_is_exe(const char *name, const char *exe, const struct stat *exe_st)
{
	const char *slash = strrchr(exe, '/');
	char path[PATH_MAX];
	struct stat st;

	if (!slash)
		return false;
	snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - exe), exe, name);
	return !stat(path, &st) && st.st_dev == exe_st->st_dev && st.st_ino == exe_st->st_ino;
}

/* The system program named name exists and is neither exe nor a script. */
static bool system_program_differs(void *ctx, const char *name, const char *exe)
{
	struct stat exe_st, st;
	char path[PATH_MAX], head[2];
	bool have_exe = !stat(exe, &exe_st);

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	if (have_exe && sibling_is_exe(name, exe, &exe_st))
		return false;
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", system_dirs[i], name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (have_exe && st.st_dev == exe_st.st_dev && st.st_ino == exe_st.st_ino)
			return false;
		if (scan_read_file(path, head, sizeof(head)) == 1 && head[0] == '#')
			return false;	/* "#!": comm is the script's name */
		return true;
	}
	return false;
}

/* ---- deleted and memfd executables ---- */

static void report_exe(struct scan_ctx *c, enum vgl_scan_check check, uint32_t pid,
		       const char *exe, const char *why)
{
	const struct scan_task *t = scan_task_find(c, pid);
	struct scan_finding f = { .check = check, .pid = pid };
	char path[64];
	struct stat st;

	if (t) {
		memcpy(f.comm, t->comm, sizeof(f.comm));
		f.start_ns = t->start_ns;
	}
	snprintf(path, sizeof(path), "%s/%u/exe", c->proc, pid);
	if (!stat(path, &st))
		f.ino = st.st_ino;
	snprintf(f.subject, sizeof(f.subject), "%s", exe);
	snprintf(f.detail, sizeof(f.detail), "pid %u (%s) runs %s: %s", pid, f.comm, exe, why);
	scan_emit(c, SCAN_CHK_EXECUTABLES, &f);
}

static void check_process_exe(struct scan_ctx *c, uint32_t pid)
{
	const struct scan_task *t = scan_task_find(c, pid);
	char path[64], exe[PATH_MAX];
	const char *why;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/exe", c->proc, pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;		/* kernel thread, or exited */
	exe[n] = '\0';
	if (!strncmp(exe, "/memfd:", 7)) {
		report_exe(c, VGL_SCAN_EXE_MEMFD, pid, exe, "a memfd (fileless)");
		return;
	}
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)")) {
		exe[n - 10] = '\0';
		report_exe(c, VGL_SCAN_EXE_DELETED, pid, exe, "its executable was deleted");
		return;
	}
	if (!t || !(why = scan_masquerade_reason(t->comm, exe, system_program_differs, NULL)))
		return;
	struct scan_finding f = { .check = VGL_SCAN_MASQUERADE, .pid = pid,
				  .start_ns = t->start_ns };

	memcpy(f.comm, t->comm, sizeof(f.comm));
	snprintf(f.subject, sizeof(f.subject), "%s", exe);
	snprintf(f.detail, sizeof(f.detail), "pid %u calls itself '%s' but runs %.400s: %s", pid,
		 t->comm, exe, why);
	scan_emit(c, SCAN_CHK_EXECUTABLES, &f);
}

void scan_check_executables(struct scan_ctx *c, struct scan_check_result *res)
{
	if (!c->pids) {
		scan_status(res, SCAN_FAILED, "cannot list %s", c->proc);
		return;
	}
	for (size_t i = 0; i < c->npids; i++) {
		if (c->pids[i] == (uint32_t)c->self)
			continue;
		check_process_exe(c, c->pids[i]);
		res->examined++;
	}
}

/* ---- setuid files in world-writable directories ---- */

struct walk {
	uint32_t max_depth, max_entries, visited;
	bool truncated;
	void (*fn)(void *ctx, const char *path, mode_t mode, uint64_t ino);
	void *ctx;
};

static void walk_dir(struct walk *w, int dfd, char *path, size_t plen, uint32_t depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t nlen;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (w->visited >= w->max_entries) {
			w->truncated = true;
			break;
		}
		w->visited++;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		nlen = strlen(de->d_name);
		if (plen + 1 + nlen >= PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, nlen + 1);
		if (S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) &&
		    (st.st_mode & 0111))
			w->fn(w->ctx, path, st.st_mode, st.st_ino);
		else if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth + 1 >= w->max_depth) {
				w->truncated = true;
			} else if ((sub = openat(dirfd(d), de->d_name,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
				walk_dir(w, sub, path, plen + 1 + nlen, depth + 1);
			}
		}
		path[plen] = '\0';
	}
	closedir(d);
}

int scan_walk_setuid(const char *const *dirs, uint32_t max_depth, uint32_t max_entries,
		     void (*fn)(void *ctx, const char *path, mode_t mode, uint64_t ino),
		     void *ctx, bool *truncated)
{
	struct walk w = { max_depth, max_entries, 0, false, fn, ctx };
	char path[PATH_MAX];
	uint32_t total = 0;

	for (size_t i = 0; dirs[i]; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s", dirs[i]);
		/* a budget per directory: a crowded /tmp must not hide /dev/shm */
		total += w.visited;
		w.visited = 0;
		walk_dir(&w, fd, path, strlen(path), 0);
	}
	if (truncated)
		*truncated = w.truncated;
	return total + w.visited;
}

static void report_setuid(void *ctx, const char *path, mode_t mode, uint64_t ino)
{
	struct scan_ctx *c = ctx;
	struct scan_finding f = { .check = VGL_SCAN_SETUID_WW, .ino = ino };

	snprintf(f.subject, sizeof(f.subject), "%s", path);
	snprintf(f.detail, sizeof(f.detail), "%s is %s%s%s (mode %04o) under a world-writable "
		 "directory", path, mode & S_ISUID ? "setuid" : "",
		 (mode & S_ISUID) && (mode & S_ISGID) ? " and " : "",
		 mode & S_ISGID ? "setgid" : "", mode & 07777);
	scan_emit(c, SCAN_CHK_SETUID_WW, &f);
}

void scan_check_setuid_ww(struct scan_ctx *c, struct scan_check_result *res)
{
	static const char *const defaults[] = { "/tmp", "/var/tmp", "/dev/shm", NULL };
	const char *const *dirs = c->o->ww_dirs ? c->o->ww_dirs : defaults;
	uint32_t max_entries = c->o->ww_max_entries ? c->o->ww_max_entries : 20000;
	bool truncated = false;

	res->examined = scan_walk_setuid(dirs, c->o->ww_max_depth ? c->o->ww_max_depth : 6,
					 max_entries, report_setuid, c, &truncated);
	/* ran, but say where it stopped: a file past the bound was not seen */
	if (truncated)
		scan_status(res, SCAN_RAN, "walk bounded: stopped at depth %u or %u entries per directory",
			    c->o->ww_max_depth ? c->o->ww_max_depth : 6, max_entries);
}
