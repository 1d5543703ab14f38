/* SPDX-License-Identifier: GPL-2.0 */
/*
 * retention.h - the incidents directory kept within an age and a size.
 *
 * Only directories named like incident ids (incident_id_valid()) and files
 * of the capture store are ever removed: pointing --incidents-dir at a
 * directory that holds anything else deletes nothing else. An incident's
 * age is the time its incident.json was last written. Size is the sum of
 * the regular files' sizes, a capture counted once (in the store) however
 * many incidents link it.
 */
#ifndef VIGIL_RETENTION_H
#define VIGIL_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETENTION_STORE ".store"	/* the capture store, inside the incidents dir */

struct retention_opts {
	uint64_t max_age_ns;	/* 0: no age limit */
	uint64_t max_bytes;	/* 0: no size limit */
};

struct retention_result {
	uint64_t bytes_before, bytes_after;
	uint32_t removed;	/* incidents removed */
	uint32_t captures_removed;	/* store files no incident referred to any more */
};

/* True when id names an incident still being written: never removed. */
typedef bool (*retention_busy_fn)(void *ctx, const char *id);

/*
 * Remove incidents older than max_age_ns (by now_real_ns, realtime), then
 * captures no incident links (first those older than max_age, then any)
 * and the oldest incidents until the directory holds at most max_bytes.
 * 0 or -errno (the directory could not be read).
 */
int retention_enforce(const char *dir, const struct retention_opts *o, uint64_t now_real_ns,
		      retention_busy_fn busy, void *ctx, struct retention_result *res);

/* Bytes the directory holds, counted as above. */
uint64_t retention_usage(const char *dir);

/* "YYYYMMDDTHHMMSSZ-xxxxxxxx" (8 lowercase hex). */
bool incident_id_valid(const char *id);

/* Remove dir/name and everything under it, never following symlinks. */
int retention_remove_tree(int dirfd, const char *name);

/* The directory dirfd/name opened for reading, never through a symlink;
 * NULL when it cannot be (nothing is left open then). */
#include <dirent.h>
DIR *dir_open_at(int dirfd, const char *name);

#endif
