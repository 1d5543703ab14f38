// SPDX-License-Identifier: GPL-2.0
/* retention.c - see retention.h. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "forensics/retention.h"

bool incident_id_valid(const char *id)
{
	static const char shape[] = "ddddddddTddddddZ-xxxxxxxx";

	if (strlen(id) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		char c = id[i];

		if (shape[i] == 'd' ? !isdigit((unsigned char)c)
		    : shape[i] == 'x' ? !(isdigit((unsigned char)c) || (c >= 'a' && c <= 'f'))
		    : c != shape[i])
			return false;
	}
	return true;
}

DIR *dir_open_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

int retention_remove_tree(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return unlinkat(dirfd, name, 0) ? -errno : 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR)
			retention_remove_tree(fd, de->d_name);
		else
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR) ? -errno : 0;
}

/* Regular files directly in dirfd/name (and its subdirectories except
 * captures/, whose files are links into the store). */
static uint64_t tree_bytes(int at, const char *name, bool skip_captures)
{
	DIR *d = dir_open_at(at, name);
	uint64_t total = 0;
	struct dirent *de;
	struct stat st;
	int fd;

	if (!d)
		return 0;
	fd = dirfd(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode))
			total += st.st_size;
		else if (S_ISDIR(st.st_mode) && !(skip_captures && !strcmp(de->d_name, "captures")))
			total += tree_bytes(fd, de->d_name, false);
	}
	closedir(d);
	return total;
}

struct incident_entry {
	char id[32];
	uint64_t mtime_ns;
	uint64_t bytes;
};

static uint64_t mtime_of(int dirfd, const char *id)
{
	char path[NAME_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%.*s/incident.json", NAME_MAX, id);
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) &&
	    fstatat(dirfd, id, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	return st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
}

static int by_mtime(const void *a, const void *b)
{
	const struct incident_entry *x = a, *y = b;

	return x->mtime_ns < y->mtime_ns ? -1 : x->mtime_ns > y->mtime_ns;
}

/* The incidents of dirfd, oldest first. *n set; NULL with *n 0 when none. */
static struct incident_entry *list_incidents(int dirfd, size_t *n)
{
	struct incident_entry *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!incident_id_valid(de->d_name))
			continue;
		if (*n == cap) {
			struct incident_entry *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		memcpy(v[*n].id, de->d_name, strlen(de->d_name) + 1);	/* valid ids are 25 bytes */
		v[*n].mtime_ns = mtime_of(dirfd, de->d_name);
		v[*n].bytes = tree_bytes(dirfd, de->d_name, true);
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_mtime);
	return v;
}

/* Remove store files no incident links; only those older than before_ns
 * unless before_ns is 0. Returns how many. */
static uint32_t store_gc(int at, uint64_t before_ns)
{
	DIR *d = dir_open_at(at, RETENTION_STORE);
	uint32_t removed = 0;
	struct dirent *de;
	struct stat st;
	int fd;

	if (!d)
		return 0;
	fd = dirfd(d);
	while ((de = readdir(d))) {
		uint64_t mt;

		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) ||
		    st.st_nlink != 1)
			continue;
		mt = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
		if ((!before_ns || mt < before_ns) && !unlinkat(fd, de->d_name, 0))
			removed++;
	}
	closedir(d);
	return removed;
}

static uint64_t usage_at(int dirfd)
{
	size_t n;
	struct incident_entry *v = list_incidents(dirfd, &n);
	uint64_t total = tree_bytes(dirfd, RETENTION_STORE, false);

	for (size_t i = 0; i < n; i++)
		total += v[i].bytes;
	free(v);
	return total;
}

uint64_t retention_usage(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t total;

	if (fd < 0)
		return 0;
	total = usage_at(fd);
	close(fd);
	return total;
}

/* Remove the oldest incident that is not busy (and, with max_age, only one
 * older than cutoff). False when there is none. */
static bool remove_oldest(int dirfd, uint64_t cutoff, retention_busy_fn busy, void *ctx)
{
	size_t n;
	struct incident_entry *v = list_incidents(dirfd, &n);
	bool done = false;

	for (size_t i = 0; i < n && !done; i++) {
		if (cutoff && v[i].mtime_ns >= cutoff)
			break;
		if (busy && busy(ctx, v[i].id))
			continue;
		done = !retention_remove_tree(dirfd, v[i].id);
	}
	free(v);
	return done;
}

int retention_enforce(const char *dir, const struct retention_opts *o, uint64_t now_real_ns,
		      retention_busy_fn busy, void *ctx, struct retention_result *res)
{
	uint64_t cutoff = o->max_age_ns && now_real_ns > o->max_age_ns ?
			  now_real_ns - o->max_age_ns : 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct retention_result r = {};

	if (fd < 0)
		return -errno;
	r.bytes_before = usage_at(fd);
	while (cutoff && remove_oldest(fd, cutoff, busy, ctx))
		r.removed++;
	if (cutoff)
		r.captures_removed += store_gc(fd, cutoff);
	while (o->max_bytes && usage_at(fd) > o->max_bytes) {
		uint32_t gc = store_gc(fd, 0);

		r.captures_removed += gc;
		if (gc)
			continue;
		if (!remove_oldest(fd, 0, busy, ctx))
			break;
		r.removed++;
	}
	r.bytes_after = usage_at(fd);
	close(fd);
	if (res)
		*res = r;
	return 0;
}
