// SPDX-License-Identifier: GPL-2.0
/* capture.c - see capture.h. OpenSSL hashes, libzstd compresses. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zstd.h>
#include "forensics/capture.h"

#define CHUNK (64u << 10)
#define ZSTD_LEVEL 3

const char *capture_status_name(enum capture_status s)
{
	switch (s) {
	case CAPTURE_STORED: return "stored";
	case CAPTURE_DEDUPED: return "deduplicated";
	case CAPTURE_TOO_LARGE: return "too_large";
	case CAPTURE_NOT_REGULAR: return "not_regular";
	case CAPTURE_GONE: return "gone";
	case CAPTURE_ERROR: return "error";
	}
	return "error";
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Compress in[0..len) into out_fd (end the frame when last). */
static int zstd_write(ZSTD_CCtx *z, int out_fd, const void *in, size_t len, bool last)
{
	static __thread char obuf[CHUNK];
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer ob = { obuf, sizeof(obuf), 0 };
		int err;

		left = ZSTD_compressStream2(z, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left))
			return -EIO;
		err = write_all(out_fd, obuf, ob.pos);
		if (err)
			return err;
	} while (last ? left != 0 : ib.pos < ib.size);
	return 0;
}

struct capture_job {
	int in_fd, tmp_fd;
	uint64_t max_bytes;
	EVP_MD_CTX *md;
	ZSTD_CCtx *z;
	uint64_t total, written;
	bool too_large, hash_ok;
};

/* Hash everything (up to CAPTURE_HASH_MAX), compress up to max_bytes. */
static int capture_stream(struct capture_job *c)
{
	static __thread char buf[CHUNK];
	ssize_t n;
	int err;

	while ((n = pread(c->in_fd, buf, sizeof(buf), c->total)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->total += n;
		if (c->total > CAPTURE_HASH_MAX) {
			c->hash_ok = false;
			c->too_large = true;
			return 0;
		}
		if (!EVP_DigestUpdate(c->md, buf, n))
			return -EIO;
		if (c->total > c->max_bytes)
			c->too_large = true;
		if (!c->too_large && (err = zstd_write(c->z, c->tmp_fd, buf, n, false)))
			return err;
	}
	c->hash_ok = true;
	return c->too_large ? 0 : zstd_write(c->z, c->tmp_fd, NULL, 0, true);
}

static void hex_digest(EVP_MD_CTX *md, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	hex[0] = '\0';
	if (!EVP_DigestFinal_ex(md, d, &len))
		return;
	for (unsigned int i = 0; i < len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Give the anonymous temporary file its content-addressed name. */
static int publish(const char *store_dir, struct capture_job *c, struct capture_result *out)
{
	char src[64], dst[PATH_MAX];
	struct stat st;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", c->tmp_fd);
	snprintf(dst, sizeof(dst), "%s/%s.zst", store_dir, out->sha256);
	if (linkat(AT_FDCWD, src, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) == 0) {
		out->status = CAPTURE_STORED;
		out->stored = c->written;
	} else if (errno == EEXIST) {
		out->status = CAPTURE_DEDUPED;
	} else {
		out->status = CAPTURE_ERROR;
		out->err = errno;
		return 0;
	}
	if (!stat(dst, &st))
		out->first_seen_ns = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	return 0;
}

int capture_fd(const char *store_dir, int fd, uint64_t max_bytes, struct capture_result *out)
{
	struct capture_job c = { .in_fd = fd, .max_bytes = max_bytes };
	struct stat st;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		out->status = CAPTURE_NOT_REGULAR;
		return 0;
	}
	c.tmp_fd = open(store_dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (c.tmp_fd < 0)
		return -errno;
	c.md = EVP_MD_CTX_new();
	c.z = ZSTD_createCCtx();
	if (!c.md || !c.z || !EVP_DigestInit_ex(c.md, EVP_sha256(), NULL)) {
		err = -ENOMEM;
		goto out;
	}
	ZSTD_CCtx_setParameter(c.z, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	if (capture_stream(&c)) {
		out->status = CAPTURE_ERROR;
		out->err = EIO;
		goto out;
	}
	out->size = c.total;
	if (c.hash_ok)
		hex_digest(c.md, out->sha256);
	if (c.too_large) {
		out->status = CAPTURE_TOO_LARGE;
		goto out;
	}
	c.written = lseek(c.tmp_fd, 0, SEEK_CUR);
	err = publish(store_dir, &c, out);
out:
	EVP_MD_CTX_free(c.md);
	ZSTD_freeCCtx(c.z);
	close(c.tmp_fd);
	return err;
}

int capture_open_nofollow(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   (root_fd >= 0 ? RESOLVE_IN_ROOT : 0),
	};
	int dirfd = root_fd >= 0 ? root_fd : AT_FDCWD;
	struct stat st;
	int fd;

	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, root_fd >= 0 && path[0] == '/' ? path + 1 : path, how.flags);
	if (fd < 0)
		return -errno;
	/* O_NONBLOCK kept a FIFO from blocking the open; now refuse it, and
	 * devices, before any read */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int capture_link(const char *store_dir, const char *sha256, const char *dest_dir)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s.zst", store_dir, sha256);
	snprintf(dst, sizeof(dst), "%s/%s.zst", dest_dir, sha256);
	if (link(src, dst) && errno != EEXIST)
		return -errno;
	return 0;
}

int capture_extract(const char *zst_path, int out_fd)
{
	static char ibuf[CHUNK], obuf[CHUNK];
	int in = open(zst_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ZSTD_DCtx *z = ZSTD_createDCtx();
	ssize_t n;
	int err = 0;

	if (in < 0 || !z) {
		err = in < 0 ? -errno : -ENOMEM;
		goto out;
	}
	while (!err && (n = read(in, ibuf, sizeof(ibuf))) > 0) {
		ZSTD_inBuffer ib = { ibuf, n, 0 };

		while (!err && ib.pos < ib.size) {
			ZSTD_outBuffer ob = { obuf, sizeof(obuf), 0 };

			if (ZSTD_isError(ZSTD_decompressStream(z, &ob, &ib)))
				err = -EIO;
			else
				err = write_all(out_fd, obuf, ob.pos);
		}
	}
out:
	ZSTD_freeDCtx(z);
	if (in >= 0)
		close(in);
	return err;
}
