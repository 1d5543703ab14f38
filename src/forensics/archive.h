/* SPDX-License-Identifier: GPL-2.0 */
/*
 * archive.h - one incident bundle as a single file a responder can take
 * away: a POSIX ustar archive of <id>/..., zstd-compressed when asked.
 * Entries are written 0700 (directories) and 0600 (files), owned by 0:0;
 * symlinks and anything not a regular file or directory are left out.
 */
#ifndef VIGIL_ARCHIVE_H
#define VIGIL_ARCHIVE_H

#include <stdbool.h>

/* Archive dir/id into out_path (created 0600, replaced if it exists). 0 or -errno. */
int archive_incident(const char *dir, const char *id, const char *out_path, bool zstd);

#endif
