// SPDX-License-Identifier: GPL-2.0
/*
 * file_ops - make exactly one file syscall, for the file e2e tests.
 *
 *   file_ops OP ARGS...
 *
 * Calls go through syscall(2) so the number the test expects is the one
 * made (libc maps chmod() to fchmodat(), for one). Prints "pid=N ret=R" so
 * the test can match the event's process and result; exits 0 whether the
 * call failed or not (failed calls are events too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long num(const char *s)
{
	return strtol(s, NULL, 0);
}

static int open_rw(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static long run(int argc, char **argv)
{
	const char *op = argv[1];
	const char *a = argc > 2 ? argv[2] : NULL;
	const char *b = argc > 3 ? argv[3] : NULL;
	const char *c = argc > 4 ? argv[4] : NULL;

#define NEED(n) do { if (argc < (n) + 2) return -1000; } while (0)
	if (!strcmp(op, "open-creat")) {		/* PATH: openat O_WRONLY|O_CREAT|O_TRUNC 0640 */
		NEED(1);
		return syscall(SYS_openat, AT_FDCWD, a, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	} else if (!strcmp(op, "open")) {		/* PATH: open O_RDONLY */
		NEED(1);
		return syscall(SYS_open, a, O_RDONLY);
	} else if (!strcmp(op, "openat2")) {		/* PATH: openat2 O_RDONLY|O_CLOEXEC */
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };

		NEED(1);
		return syscall(SYS_openat2, AT_FDCWD, a, &how, sizeof(how));
	} else if (!strcmp(op, "creat")) {		/* PATH */
		NEED(1);
		return syscall(SYS_creat, a, 0600);
	} else if (!strcmp(op, "unlink")) {		/* PATH */
		NEED(1);
		return syscall(SYS_unlink, a);
	} else if (!strcmp(op, "rmdir-at")) {		/* PATH: unlinkat AT_REMOVEDIR */
		NEED(1);
		return syscall(SYS_unlinkat, AT_FDCWD, a, AT_REMOVEDIR);
	} else if (!strcmp(op, "rename")) {		/* OLD NEW: renameat2 RENAME_NOREPLACE */
		NEED(2);
		return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE);
	} else if (!strcmp(op, "rename-dirfd")) {	/* OLD DIR NAME: renameat into an O_PATH dirfd */
		int dfd;

		NEED(3);
		dfd = open(b, O_PATH | O_DIRECTORY);
		return syscall(SYS_renameat, AT_FDCWD, a, dfd, c);
	} else if (!strcmp(op, "link")) {		/* OLD NEW: linkat */
		NEED(2);
		return syscall(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, 0);
	} else if (!strcmp(op, "symlink")) {		/* TARGET LINKPATH: symlinkat */
		NEED(2);
		return syscall(SYS_symlinkat, a, AT_FDCWD, b);
	} else if (!strcmp(op, "chmod")) {		/* PATH MODE: fchmodat */
		NEED(2);
		return syscall(SYS_fchmodat, AT_FDCWD, a, num(b));
	} else if (!strcmp(op, "fchmod")) {		/* PATH MODE */
		NEED(2);
		return syscall(SYS_fchmod, open_rw(a), num(b));
	} else if (!strcmp(op, "chown")) {		/* PATH UID GID: fchownat */
		NEED(3);
		return syscall(SYS_fchownat, AT_FDCWD, a, num(b), num(c), 0);
	} else if (!strcmp(op, "truncate")) {		/* PATH LEN */
		NEED(2);
		return syscall(SYS_truncate, a, num(b));
	} else if (!strcmp(op, "ftruncate")) {		/* PATH LEN */
		NEED(2);
		return syscall(SYS_ftruncate, open_rw(a), num(b));
	} else if (!strcmp(op, "utimensat")) {		/* PATH: times = now */
		NEED(1);
		return syscall(SYS_utimensat, AT_FDCWD, a, NULL, 0);
	} else if (!strcmp(op, "futimens")) {		/* PATH: utimensat(fd, NULL) */
		NEED(1);
		return syscall(SYS_utimensat, open_rw(a), NULL, NULL, 0);
	}
#undef NEED
	return -1000;
}

int main(int argc, char **argv)
{
	long ret;

	if (argc < 2) {
		fprintf(stderr, "usage: file_ops OP ARGS...\n");
		return 2;
	}
	ret = run(argc, argv);
	if (ret == -1000) {
		fprintf(stderr, "file_ops: bad operation or arguments\n");
		return 2;
	}
	printf("pid=%d ret=%ld\n", getpid(), ret < 0 ? -(long)errno : ret);
	return 0;
}
