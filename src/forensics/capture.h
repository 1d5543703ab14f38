/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture.h - file contents kept as evidence: executed binaries (read
 * through an fd the agent opened on /proc/PID/exe while the process lived,
 * so memfd and deleted files are captured too) and files the involved
 * processes wrote (read by path, refusing symlinks, devices and FIFOs).
 *
 * Contents are stored once, by SHA-256, zstd-compressed, mode 0600, in a
 * store directory (<incidents>/.store/<sha256>.zst); an incident links the
 * files it refers to into its own captures/ directory (hard links: identical
 * files take their bytes once, and each bundle is complete on its own).
 * Nothing is ever stored executable.
 */
#ifndef VIGIL_CAPTURE_H
#define VIGIL_CAPTURE_H

#include <stdint.h>

#define CAPTURE_HASH_MAX	(256ULL << 20)	/* files larger are not hashed either */

enum capture_status {
	CAPTURE_STORED = 0,	/* new content written to the store */
	CAPTURE_DEDUPED,	/* the store already held it */
	CAPTURE_TOO_LARGE,	/* over the size limit: hashed (when <= CAPTURE_HASH_MAX), not kept */
	CAPTURE_NOT_REGULAR,	/* a symlink, device, FIFO, socket or directory: not read */
	CAPTURE_GONE,		/* the file or process no longer exists */
	CAPTURE_ERROR,		/* I/O error (errno in err) */
};

struct capture_result {
	enum capture_status status;
	int err;		/* errno for CAPTURE_ERROR / CAPTURE_GONE */
	char sha256[65];	/* "" when not hashed */
	uint64_t size;		/* bytes of content */
	uint64_t stored;	/* compressed bytes newly written to the store (0 when deduped) */
	uint64_t first_seen_ns;	/* realtime: when the store first got this content */
};

const char *capture_status_name(enum capture_status s);

/*
 * Read fd (a regular file, from its start) into store_dir/<sha256>.zst,
 * unless its size is over max_bytes. store_dir must exist (mode 0700).
 * Returns 0 with out filled (any status), or -errno for a bad store.
 */
int capture_fd(const char *store_dir, int fd, uint64_t max_bytes, struct capture_result *out);

/*
 * Open path for capture without following a symlink anywhere in it
 * (openat2 RESOLVE_NO_SYMLINKS; O_NOFOLLOW on kernels without openat2),
 * resolved under root_fd when it is >= 0 (a container's root, RESOLVE_IN_ROOT)
 * and without blocking on a FIFO. Returns an fd on a regular file, or
 * -ELOOP (symlink), -EINVAL (not a regular file), -errno.
 */
int capture_open_nofollow(int root_fd, const char *path);

/* Hard-link store_dir/<sha256>.zst as dest_dir/<sha256>.zst (0 if it exists). */
int capture_link(const char *store_dir, const char *sha256, const char *dest_dir);

/* Decompress a capture to fd (for `vigil incidents`): 0 or -errno. */
int capture_extract(const char *zst_path, int out_fd);

#endif
