// SPDX-License-Identifier: GPL-2.0
/* archive.c - see archive.h. The ustar format is small enough to write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "forensics/retention.h"
#include <zstd.h>
#include "forensics/archive.h"

#define BLOCK 512

struct out {
	int fd;
	ZSTD_CCtx *z;		/* NULL: plain tar */
	int err;
};

static void out_raw(struct out *o, const void *buf, size_t len)
{
	const char *p = buf;

	while (!o->err && len) {
		ssize_t n = write(o->fd, p, len);

		if (n < 0 && errno != EINTR)
			o->err = -errno;
		if (n > 0) {
			p += n;
			len -= n;
		}
	}
}

static void out_write(struct out *o, const void *buf, size_t len, bool end)
{
	static char zbuf[1 << 16];
	ZSTD_inBuffer ib = { buf, len, 0 };
	size_t left;

	if (!o->z) {
		out_raw(o, buf, len);
		return;
	}
	do {
		ZSTD_outBuffer ob = { zbuf, sizeof(zbuf), 0 };

		left = ZSTD_compressStream2(o->z, &ob, &ib, end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left)) {
			o->err = -EIO;
			return;
		}
		out_raw(o, zbuf, ob.pos);
	} while (!o->err && (end ? left != 0 : ib.pos < ib.size));
}

static void octal(char *field, size_t width, uint64_t v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

/* ustar names: up to 100 bytes, or a directory prefix of up to 155 bytes
 * and the rest. False when the name cannot be written. */
static bool put_name(unsigned char *h, const char *name)
{
	size_t len = strlen(name);
	const char *cut;

	if (len <= 100) {
		memcpy(h, name, len);
		return true;
	}
	for (cut = name + len - 1; cut > name; cut--)
		if (*cut == '/' && cut != name + len - 1 && (size_t)(cut - name) <= 155 &&
		    len - (cut - name) - 1 <= 100)
			break;
	if (cut == name)
		return false;
	memcpy(h + 345, name, cut - name);
	memcpy(h, cut + 1, len - (cut - name) - 1);
	return true;
}

/* One ustar header; false when the name does not fit the format. */
static bool header(struct out *o, const char *name, char type, uint64_t size, uint64_t mtime)
{
	unsigned char h[BLOCK] = {};
	unsigned int sum = 0;

	if (!put_name(h, name))
		return false;
	octal((char *)h + 100, 8, type == '5' ? 0700 : 0600);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, mtime);
	memset(h + 148, ' ', 8);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 5);
	memcpy(h + 297, "root", 5);
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	out_write(o, h, BLOCK, false);
	return true;
}

static void add_file(struct out *o, int dirfd, const char *entry, const char *name,
		     const struct stat *st)
{
	static char buf[1 << 16];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	uint64_t left = st->st_size;

	if (fd < 0)
		return;
	if (!header(o, entry, '0', st->st_size, st->st_mtime)) {
		close(fd);
		return;
	}
	while (left && !o->err) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0) {	/* shrank while read: pad with zeros to the size announced */
			memset(buf, 0, sizeof(buf));
			n = left < sizeof(buf) ? left : sizeof(buf);
		}
		out_write(o, buf, n, false);
		left -= n;
	}
	close(fd);
	if (st->st_size % BLOCK) {
		static const char zero[BLOCK];

		out_write(o, zero, BLOCK - st->st_size % BLOCK, false);
	}
}

static void add_dir(struct out *o, int parent, const char *name, const char *prefix, int depth)
{
	DIR *d = depth > 4 ? NULL : dir_open_at(parent, name);
	char entry[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int fd;

	if (!d)
		return;
	fd = dirfd(d);
	if (!fstat(fd, &st))
		header(o, prefix, '5', 0, st.st_mtime);
	while ((de = readdir(d)) && !o->err) {
		if (de->d_name[0] == '.' || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;	/* ., .., and half-written .tmp files */
		if (snprintf(entry, sizeof(entry), "%s%s", prefix, de->d_name) >= 250)
			continue;
		if (S_ISDIR(st.st_mode)) {
			strcat(entry, "/");
			add_dir(o, fd, de->d_name, entry, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			add_file(o, fd, entry, de->d_name, &st);
		}
	}
	closedir(d);
}

int archive_incident(const char *dir, const char *id, const char *out_path, bool zstd)
{
	static const char end[2 * BLOCK];
	struct out o = { .fd = -1 };
	char prefix[64];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return -errno;
	if (faccessat(dfd, id, F_OK, AT_SYMLINK_NOFOLLOW)) {
		close(dfd);
		return -ENOENT;
	}
	unlink(out_path);
	o.fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (o.fd < 0 || (zstd && !(o.z = ZSTD_createCCtx()))) {
		o.err = o.fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "%.40s/", id);
	add_dir(&o, dfd, id, prefix, 0);
	out_write(&o, end, sizeof(end), true);
out:
	ZSTD_freeCCtx(o.z);
	if (o.fd >= 0 && close(o.fd) && !o.err)
		o.err = -errno;
	close(dfd);
	return o.err;
}
