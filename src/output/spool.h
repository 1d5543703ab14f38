/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spool.h - an on-disk FIFO of opaque records for one output, so alerts
 * survive a destination outage and a restart of vigil.
 *
 * Layout of the spool directory:
 *   <seq>.seg  segment files (16 hex digits), appended in order; each record
 *              is [u32 length][u32 crc32 of payload][payload]
 *   cursor     the next record to deliver: segment seq and offset, with a
 *              checksum, rewritten in place after each delivery
 *
 * A segment is deleted once every record in it is delivered, so the bound
 * (max_bytes, the sum of segment sizes) frees up while a backlog drains. A
 * torn tail (crash in the middle of an append) is cut off at open.
 *
 * Not thread-safe: one owner (the sink's delivery thread) at a time.
 */
#ifndef VIGIL_SPOOL_H
#define VIGIL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_RECORD_MAX (16u << 20)	/* larger payloads are refused (-E2BIG) */

struct spool;

/*
 * Open (creating it and its parents if needed) the spool in dir, bounded to
 * max_bytes on disk. Records left by a previous run are kept and come first.
 * Returns 0, or -errno with a message naming the directory in err
 * (e.g. "spool: cannot create '/x': Permission denied").
 */
int spool_open(const char *dir, uint64_t max_bytes, struct spool **out, char *err, size_t errlen);

/* Flush what is pending (data and cursor) to disk and free everything. */
void spool_close(struct spool *sp);

/*
 * Append one record at the tail. Not synced: call spool_sync() once per
 * batch before freeing the memory copies. Returns 0; -EFBIG when the bound
 * would be exceeded; -ENOSPC (or another -errno) when the disk refuses, in
 * which case the spool is left exactly as before the call.
 */
int spool_append(struct spool *sp, const void *buf, size_t len);

/* fdatasync the tail segment and the cursor if they changed. 0 or -errno. */
int spool_sync(struct spool *sp);

/*
 * The oldest undelivered record, without removing it: *buf stays valid until
 * the next call on sp. Returns 0, -ENOENT when the spool is empty, or -errno
 * on a read error (-EBADMSG for a record that fails its checksum: the rest of
 * that segment is skipped and counted in spool_corrupt()).
 */
int spool_peek(struct spool *sp, const char **buf, size_t *len);

/*
 * The record returned by the last spool_peek() was delivered: advance the
 * cursor and write it (a write, synced by spool_sync() or every
 * SPOOL_SYNC_EVERY acks). 0 or -errno.
 */
#define SPOOL_SYNC_EVERY 32
int spool_ack(struct spool *sp);

uint64_t spool_pending(const struct spool *sp);		/* records not yet delivered */
uint64_t spool_bytes(const struct spool *sp);		/* bytes of segment files on disk */
uint64_t spool_corrupt(const struct spool *sp);		/* damaged records met (skipped) */
const char *spool_dir(const struct spool *sp);

#endif
