/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exehash.h - SHA-256 of executed files, for rules that match binaries by
 * hash. Computed only when a rule asks (lazily, per exec event), read
 * through /proc/PID/exe so memfd and deleted files hash too, and cached by
 * (dev, inode, ctime): an exec storm of one binary hashes it once.
 */
#ifndef VIGIL_EXEHASH_H
#define VIGIL_EXEHASH_H

#include <stdint.h>

#define EXEHASH_MAX_BYTES (256u << 20)	/* larger files are not hashed */

struct exe_hashes;

struct exe_hashes *exehash_new(void);
void exehash_free(struct exe_hashes *h);

/*
 * Hex SHA-256 of the executable of pid, identified by (dev, ino, ctime_ns)
 * (dev in the kernel's encoding). Read through /proc/PID/exe, or, when the
 * process has already exited, through path if it still names the same
 * inode. NULL when neither works (a short-lived memfd or deleted file, a
 * file over EXEHASH_MAX_BYTES). The string lives until the next call.
 */
const char *exehash_get(struct exe_hashes *h, uint32_t pid, const char *path, uint32_t dev,
			uint64_t ino, uint64_t ctime_ns);

/* Hex SHA-256 of a file by path (for tests and tools); NULL on error. */
const char *exehash_file(struct exe_hashes *h, const char *path);

#endif
