// SPDX-License-Identifier: GPL-2.0
/* exehash.c - see exehash.h. OpenSSL's EVP does the hashing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "enrich/exehash.h"

#define CACHE_SLOTS 4096

struct hash_slot {
	uint64_t ino;
	uint64_t ctime_ns;
	uint32_t dev;
	char hex[65];
};

struct exe_hashes {
	struct hash_slot slots[CACHE_SLOTS];
	char last[65];
};

struct exe_hashes *exehash_new(void)
{
	return calloc(1, sizeof(struct exe_hashes));
}

void exehash_free(struct exe_hashes *h)
{
	free(h);
}

/* SHA-256 of everything readable from fd into hex; 0 or -1. */
static int hash_fd(int fd, char hex[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned int mdlen = 0;
	uint64_t total = 0;
	ssize_t n;
	int err = -1;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		total += n;
		if (total > EXEHASH_MAX_BYTES || !EVP_DigestUpdate(ctx, buf, n))
			goto out;
	}
	if (n < 0 || !EVP_DigestFinal_ex(ctx, md, &mdlen))
		goto out;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	err = 0;
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

/* Hash the file at path; when ino is not 0, only if it is that inode. */
static const char *hash_path(struct exe_hashes *h, const char *path, uint32_t kdev, uint64_t ino)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err = -1;

	if (fd < 0)
		return NULL;
	if (!ino || (!fstat(fd, &st) && st.st_ino == ino && major(st.st_dev) == kdev >> 20 &&
		     minor(st.st_dev) == (kdev & 0xfffff)))
		err = hash_fd(fd, h->last);
	close(fd);
	return err ? NULL : h->last;
}

const char *exehash_file(struct exe_hashes *h, const char *path)
{
	return hash_path(h, path, 0, 0);
}

const char *exehash_get(struct exe_hashes *h, uint32_t pid, const char *path, uint32_t dev,
			uint64_t ino, uint64_t ctime_ns)
{
	struct hash_slot *s = &h->slots[(ino * 0x9e3779b97f4a7c15ULL ^ dev) % CACHE_SLOTS];
	char proc_exe[64];

	if (s->hex[0] && s->ino == ino && s->dev == dev && s->ctime_ns == ctime_ns)
		return s->hex;
	snprintf(proc_exe, sizeof(proc_exe), "/proc/%u/exe", pid);
	if (!hash_path(h, proc_exe, dev, ino) && (!path || !hash_path(h, path, dev, ino)))
		return NULL;
	s->ino = ino;
	s->dev = dev;
	s->ctime_ns = ctime_ns;
	memcpy(s->hex, h->last, sizeof(s->hex));
	return s->hex;
}
