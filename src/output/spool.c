// SPDX-License-Identifier: GPL-2.0
/* spool.c - see spool.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>
#include "log.h"
#include "output/spool.h"

#define CURSOR_MAGIC 0x72756376u	/* "vcur" */
#define REC_HDR 8u

struct cursor_disk {
	uint32_t magic;
	uint32_t crc;		/* crc32 of seq and off */
	uint64_t seq;
	uint64_t off;
};

struct spool {
	char *dir;
	int dirfd;
	int cursor_fd;
	uint64_t max_bytes;
	uint64_t seg_max;	/* a new segment starts past this size */
	uint64_t rseq, roff;	/* next record to deliver */
	int rfd;		/* read fd on segment rseq, or -1 */
	uint64_t wseq, wsize;	/* tail segment */
	int wfd;
	uint64_t total_bytes, pending, corrupt;
	uint64_t peeked;	/* size (header included) of the peeked record, 0 if none */
	char *rbuf;
	size_t rcap;
	bool data_dirty, cursor_dirty, dir_dirty;
	unsigned acks_unsynced;
};

static void seg_name(char *buf, size_t n, uint64_t seq)
{
	snprintf(buf, n, "%016" PRIx64 ".seg", seq);
}

static int mkdir_parents(const char *dir, char *err, size_t errlen)
{
	char *p = strdup(dir);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int e = errno;

			snprintf(err, errlen, "spool: cannot create '%s': %s", p, strerror(e));
			free(p);
			return -e;
		}
		if (!c)
			break;
		*s = c;
	}
	free(p);
	return 0;
}

static uint32_t cursor_crc(uint64_t seq, uint64_t off)
{
	uint64_t v[2] = { seq, off };

	return crc32(0, (const Bytef *)v, sizeof(v));
}

static int cursor_write(struct spool *sp)
{
	struct cursor_disk c = { CURSOR_MAGIC, cursor_crc(sp->rseq, sp->roff), sp->rseq, sp->roff };

	if (pwrite(sp->cursor_fd, &c, sizeof(c), 0) != (ssize_t)sizeof(c))
		return errno ? -errno : -EIO;
	sp->cursor_dirty = true;
	return 0;
}

/* true and the cursor in seq/off when the file holds a valid one */
static bool cursor_read(struct spool *sp, uint64_t *seq, uint64_t *off, bool *damaged)
{
	struct cursor_disk c;
	ssize_t n = pread(sp->cursor_fd, &c, sizeof(c), 0);

	*damaged = n > 0 && (n != (ssize_t)sizeof(c) || c.magic != CURSOR_MAGIC ||
			     c.crc != cursor_crc(c.seq, c.off));
	if (n != (ssize_t)sizeof(c) || *damaged)
		return false;
	*seq = c.seq;
	*off = c.off;
	return true;
}

static int seg_open(struct spool *sp, uint64_t seq, int flags)
{
	char name[32];

	seg_name(name, sizeof(name), seq);
	return openat(sp->dirfd, name, flags | O_CLOEXEC, 0600);
}

static void seg_unlink(struct spool *sp, uint64_t seq)
{
	char name[32];

	seg_name(name, sizeof(name), seq);
	unlinkat(sp->dirfd, name, 0);
	sp->dir_dirty = true;
}

static uint64_t fd_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Read and check the record at off of fd (size bytes long) into sp->rbuf.
 * Returns its payload length, or -EBADMSG if it is torn or damaged. */
static ssize_t record_read(struct spool *sp, int fd, uint64_t off, uint64_t size)
{
	uint32_t hdr[2];

	if (off + REC_HDR > size || pread(fd, hdr, REC_HDR, off) != REC_HDR)
		return -EBADMSG;
	if (hdr[0] > SPOOL_RECORD_MAX || off + REC_HDR + hdr[0] > size)
		return -EBADMSG;
	if (sp->rcap < hdr[0] + 1) {
		char *b = realloc(sp->rbuf, hdr[0] + 1);

		if (!b)
			return -ENOMEM;
		sp->rbuf = b;
		sp->rcap = hdr[0] + 1;
	}
	if (pread(fd, sp->rbuf, hdr[0], off + REC_HDR) != (ssize_t)hdr[0])
		return -EBADMSG;
	if (crc32(0, (const Bytef *)sp->rbuf, hdr[0]) != hdr[1])
		return -EBADMSG;
	sp->rbuf[hdr[0]] = '\0';
	return hdr[0];
}

/* Check every record of segment seq; count records from 'from' on into
 * sp->pending; at open (cut), cut a torn tail. Returns the (cut) size. */
static uint64_t seg_scan(struct spool *sp, uint64_t seq, uint64_t from, bool cut)
{
	int fd = seg_open(sp, seq, cut ? O_RDWR : O_RDONLY);
	uint64_t size, off = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	size = fd_size(fd);
	while (off < size && (n = record_read(sp, fd, off, size)) >= 0) {
		if (off >= from)
			sp->pending++;
		off += REC_HDR + n;
	}
	if (off < size && cut) {
		log_warn("spool: '%s': segment %016" PRIx64 " has a torn or damaged tail at "
			 "byte %" PRIu64 ", cut", sp->dir, seq, off);
		if (ftruncate(fd, off) == 0)
			size = off;
	}
	close(fd);
	return size;
}

/* Segment numbers present in the directory: lowest and highest. */
static bool seg_range(struct spool *sp, uint64_t *lo, uint64_t *hi)
{
	DIR *d = fdopendir(dup(sp->dirfd));
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		char *end;
		uint64_t seq;

		if (strlen(de->d_name) != 20 || strcmp(de->d_name + 16, ".seg"))
			continue;
		seq = strtoull(de->d_name, &end, 16);
		if (end != de->d_name + 16)
			continue;
		if (!any || seq < *lo)
			*lo = seq;
		if (!any || seq > *hi)
			*hi = seq;
		any = true;
	}
	closedir(d);
	return any;
}

/* Rebuild the state from the directory: cursor, segments, pending count. */
static int spool_load(struct spool *sp, char *err, size_t errlen)
{
	uint64_t lo = 0, hi = 0, seq, off;
	bool damaged, have_segs = seg_range(sp, &lo, &hi);

	if (cursor_read(sp, &seq, &off, &damaged)) {
		sp->rseq = seq;
		sp->roff = off;
	} else {
		if (damaged)
			log_warn("spool: '%s/cursor' is damaged; replaying from the oldest record "
				 "(some may be delivered twice)", sp->dir);
		sp->rseq = have_segs ? lo : 0;
		sp->roff = 0;
	}
	for (uint64_t s = lo; have_segs && s < sp->rseq && s <= hi; s++)
		seg_unlink(sp, s);	/* fully delivered before a crash */
	if (!have_segs || hi < sp->rseq)
		hi = sp->rseq;
	for (uint64_t s = sp->rseq; s <= hi; s++) {
		uint64_t size = seg_scan(sp, s, s == sp->rseq ? sp->roff : 0, true);

		if (s == sp->rseq && sp->roff > size)
			sp->roff = size;
		sp->total_bytes += size;
	}
	sp->wseq = hi;
	sp->wfd = seg_open(sp, sp->wseq, O_WRONLY | O_CREAT);
	if (sp->wfd < 0) {
		int e = errno;

		snprintf(err, errlen, "spool: cannot open a segment in '%s': %s", sp->dir, strerror(e));
		return -e;
	}
	sp->wsize = fd_size(sp->wfd);
	return cursor_write(sp);
}

int spool_open(const char *dir, uint64_t max_bytes, struct spool **out, char *err, size_t errlen)
{
	struct spool *sp;
	int rc;

	*out = NULL;
	if (!dir || !*dir) {
		snprintf(err, errlen, "spool: no directory given");
		return -EINVAL;
	}
	rc = mkdir_parents(dir, err, errlen);
	if (rc)
		return rc;
	sp = calloc(1, sizeof(*sp));
	if (!sp || !(sp->dir = strdup(dir))) {
		free(sp);
		return -ENOMEM;
	}
	sp->rfd = sp->wfd = sp->cursor_fd = -1;
	sp->max_bytes = max_bytes;
	sp->seg_max = max_bytes / 4 ? max_bytes / 4 : 1;
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool: cannot open '%s': %s", dir, strerror(-rc));
		goto fail;
	}
	sp->cursor_fd = openat(sp->dirfd, "cursor", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->cursor_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool: cannot create '%s/cursor': %s", dir, strerror(-rc));
		goto fail;
	}
	rc = spool_load(sp, err, errlen);
	if (rc)
		goto fail;
	*out = sp;
	return 0;
fail:
	spool_close(sp);
	return rc;
}

int spool_sync(struct spool *sp)
{
	int rc = 0;

	if (sp->data_dirty && fdatasync(sp->wfd) < 0)
		rc = -errno;
	if (sp->dir_dirty && fsync(sp->dirfd) < 0)
		rc = -errno;
	if (sp->cursor_dirty && fdatasync(sp->cursor_fd) < 0)
		rc = -errno;
	if (!rc)
		sp->data_dirty = sp->dir_dirty = sp->cursor_dirty = false;
	sp->acks_unsynced = 0;
	return rc;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->wfd >= 0 && sp->cursor_fd >= 0 && spool_sync(sp) < 0)
		log_warn("spool: '%s': final sync failed: %s", sp->dir, strerror(errno));
	if (sp->rfd >= 0)
		close(sp->rfd);
	if (sp->wfd >= 0)
		close(sp->wfd);
	if (sp->cursor_fd >= 0)
		close(sp->cursor_fd);
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->rbuf);
	free(sp->dir);
	free(sp);
}

/* Start a new, empty tail segment (the old one is complete). */
static int seg_roll(struct spool *sp)
{
	int fd;

	if (sp->data_dirty && fdatasync(sp->wfd) < 0)
		return -errno;
	fd = seg_open(sp, sp->wseq + 1, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 0)
		return -errno;
	close(sp->wfd);
	sp->wfd = fd;
	sp->wseq++;
	sp->wsize = 0;
	sp->data_dirty = false;
	sp->dir_dirty = true;
	return 0;
}

int spool_append(struct spool *sp, const void *buf, size_t len)
{
	uint32_t hdr[2] = { (uint32_t)len, 0 };
	uint64_t rec = REC_HDR + len;
	struct iovec iov[2] = { { hdr, REC_HDR }, { (void *)buf, len } };
	ssize_t n;
	int rc;

	if (len > SPOOL_RECORD_MAX)
		return -E2BIG;
	if (sp->total_bytes + rec > sp->max_bytes)
		return -EFBIG;
	if (sp->wsize > 0 && sp->wsize + rec > sp->seg_max && (rc = seg_roll(sp)))
		return rc;
	hdr[1] = crc32(0, buf, len);
	n = pwritev(sp->wfd, iov, 2, sp->wsize);
	if (n != (ssize_t)rec) {
		rc = n < 0 ? -errno : -ENOSPC;	/* a short write: the disk is full */
		if (ftruncate(sp->wfd, sp->wsize) < 0)
			log_warn("spool: '%s': cannot cut a partial record: %s", sp->dir,
				 strerror(errno));
		return rc;
	}
	sp->wsize += rec;
	sp->total_bytes += rec;
	sp->pending++;
	sp->data_dirty = true;
	return 0;
}

/* The head segment is fully delivered: point the cursor past it, then delete it. */
static int seg_advance(struct spool *sp)
{
	uint64_t old = sp->rseq;
	int fd = seg_open(sp, old, O_RDONLY);
	uint64_t size = fd >= 0 ? fd_size(fd) : 0;
	int rc;

	if (fd >= 0)
		close(fd);
	if (sp->rfd >= 0)
		close(sp->rfd);
	sp->rfd = -1;
	sp->rseq++;
	sp->roff = 0;
	rc = cursor_write(sp);
	if (rc)
		return rc;
	fdatasync(sp->cursor_fd);	/* the cursor must move before the data goes */
	seg_unlink(sp, old);
	sp->total_bytes -= size <= sp->total_bytes ? size : sp->total_bytes;
	return 0;
}

static uint64_t head_size(struct spool *sp)
{
	if (sp->rseq == sp->wseq)
		return sp->wsize;
	return sp->rfd >= 0 ? fd_size(sp->rfd) : 0;
}

/* After damage, count again what is left so the stats stay true. */
static void recount(struct spool *sp)
{
	sp->pending = 0;
	for (uint64_t s = sp->rseq; s <= sp->wseq; s++)
		seg_scan(sp, s, s == sp->rseq ? sp->roff : 0, false);
}

int spool_peek(struct spool *sp, const char **buf, size_t *len)
{
	ssize_t n;

	sp->peeked = 0;
	for (;;) {
		if (sp->rfd < 0) {
			sp->rfd = seg_open(sp, sp->rseq, O_RDONLY);
			if (sp->rfd < 0 && errno != ENOENT)
				return -errno;
		}
		if (sp->roff < head_size(sp))
			break;
		if (sp->rseq == sp->wseq)
			return -ENOENT;
		int rc = seg_advance(sp);

		if (rc)
			return rc;
	}
	n = record_read(sp, sp->rfd, sp->roff, head_size(sp));
	if (n == -EBADMSG) {
		log_error("spool: '%s': damaged record in segment %016" PRIx64 " at byte %" PRIu64
			  "; the rest of that segment is skipped", sp->dir, sp->rseq, sp->roff);
		sp->corrupt++;
		sp->roff = head_size(sp);
		cursor_write(sp);
		recount(sp);
		return -EBADMSG;
	}
	if (n < 0)
		return (int)n;
	sp->peeked = REC_HDR + n;
	*buf = sp->rbuf;
	*len = n;
	return 0;
}

/* Everything is delivered: start afresh in a new segment so the disk is freed. */
static int spool_reset_empty(struct spool *sp)
{
	uint64_t old = sp->rseq;
	int rc = seg_roll(sp);

	if (rc)
		return rc;
	if (sp->rfd >= 0)
		close(sp->rfd);
	sp->rfd = -1;
	sp->rseq = sp->wseq;
	sp->roff = 0;
	rc = cursor_write(sp);
	if (rc)
		return rc;
	fdatasync(sp->cursor_fd);
	sp->cursor_dirty = false;
	seg_unlink(sp, old);
	sp->total_bytes = 0;
	return 0;
}

int spool_ack(struct spool *sp)
{
	int rc;

	if (!sp->peeked)
		return -EINVAL;
	sp->roff += sp->peeked;
	sp->peeked = 0;
	if (sp->pending)
		sp->pending--;
	if (sp->roff >= head_size(sp) && sp->rseq == sp->wseq)
		rc = spool_reset_empty(sp);
	else if (sp->roff >= head_size(sp))
		rc = seg_advance(sp);
	else
		rc = cursor_write(sp);
	if (rc)
		return rc;
	if (++sp->acks_unsynced >= SPOOL_SYNC_EVERY)
		return spool_sync(sp);
	return 0;
}

uint64_t spool_pending(const struct spool *sp)
{
	return sp->pending;
}

uint64_t spool_bytes(const struct spool *sp)
{
	return sp->total_bytes;
}

uint64_t spool_corrupt(const struct spool *sp)
{
	return sp->corrupt;
}

const char *spool_dir(const struct spool *sp)
{
	return sp->dir;
}
